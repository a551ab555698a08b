#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the compiled TypeScript (npm ci builds it through `prepare`).
const { main } = require('../out/cli/main.js');
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
