#!/usr/bin/env node
'use strict';
// The language server over stdio, from the compiled TypeScript (`einsight lsp` does the same).
require('../out/server.js');
