#!/usr/bin/env node
'use strict';
// The published package's `einsight`: the bundled CLI (`npm pack` builds it; see prepack).
const { main } = require('../dist/bundle/cli.js');
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
