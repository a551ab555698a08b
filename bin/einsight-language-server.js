#!/usr/bin/env node
'use strict';
// The published package's language server, over stdio (`einsight lsp` does the same).
require('../dist/bundle/server.js');
