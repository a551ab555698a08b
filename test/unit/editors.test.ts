/**
 * Other editors against the language server, configured as the README's "Other editors" section
 * says: Neovim (Debian's 0.7.2; any 0.7+) headless with test/editors/neovim.lua, and Emacs with
 * eglot in batch with test/editors/emacs.el. In each, diagnostics arrive, a hover answers, the
 * preferred quick fix is applied and written to disk, and the finding goes. Each is skipped,
 * saying so, where the editor is not installed; CI installs both (.ci/run). The Neovim run
 * through nvim-lspconfig needs a checkout of it (v0.1.6 is the last for Nvim 0.7): set
 * EINSIGHT_LSPCONFIG to its folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/oracle';

const MODEL = `import numpy as np

a = np.random.rand(8, 64)
b = np.random.rand(64, 128)
c = np.random.rand(128, 4)
d = np.einsum('ij,jk,kl->il', a, b, c)
`;
const FIXED = MODEL.replace("np.einsum('ij,jk,kl->il', a, b, c)", "np.einsum('ij,jl->il', a, np.einsum('jk,kl->jl', b, c))");

const SERVER = `${process.execPath} ${path.join(REPO_ROOT, 'server', 'out', 'cli', 'main.js')} lsp --stdio`;
const HOVER = /^\*\*numpy\.einsum\*\* `ij,jk,kl->il` → `\(8, 4\)`\n\n\*\*786,432 → 69,632 FLOPs\*\*/;
const MESSAGE = 'numpy.einsum without optimize runs one loop over every index: 786,432 FLOPs; the best path (optimal) needs 69,632 FLOPs (11.3× fewer)';
const ACTION = 'Contract pairwise in the best order, as nested calls (11.3× fewer FLOPs)';

const installed = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' }).status === 0;
const missing = installed('nvim', ['--version']) ? false : 'nvim is not installed (apt-get install neovim)';
const emacsMissing = installed('emacs', ['--batch', '--eval', "(require 'eglot)"]) ? false : 'emacs with eglot is not installed (apt-get install emacs-nox elpa-eglot)';

/** A scratch folder holding model.py; returns the folder. */
function scratchModel(prefix: string): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), prefix));
  writeFileSync(path.join(folder, 'model.py'), MODEL);
  return folder;
}

function driveNeovim(lspconfig: string | undefined): void {
  const folder = scratchModel('einsight-nvim-');
  const resultFile = path.join(folder, 'result.json');
  const run = spawnSync('nvim', ['--headless', '--clean', '-u', path.join(REPO_ROOT, 'test', 'editors', 'neovim.lua'), 'model.py'], {
    cwd: folder,
    env: { ...process.env, EINSIGHT_SERVER: SERVER, EINSIGHT_NVIM_RESULT: resultFile, EINSIGHT_LSPCONFIG: lspconfig ?? '' },
    encoding: 'utf8',
    timeout: 90_000,
  });
  assert.equal(run.status, 0, `nvim exited with ${run.status}: ${run.stderr}`);
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.diagnostics, [{ code: 'EIN001', source: 'einsight', lnum: 5, col: 4, message: MESSAGE }]);
  assert.match(result.hover, HOVER);
  assert.equal(result.action, ACTION);
  assert.equal(result.written, true);
  assert.equal(readFileSync(path.join(folder, 'model.py'), 'utf8'), FIXED);
  assert.equal(result.cleared, true, 'the finding is gone once the server has the edit');
}

test('Neovim (vim.lsp.start_client): diagnostics, hover, a quick fix applied and written to disk', { skip: missing }, () => driveNeovim(undefined));

const lspconfig = process.env.EINSIGHT_LSPCONFIG;
test('Neovim with nvim-lspconfig: the same', { skip: missing || (!lspconfig && 'set EINSIGHT_LSPCONFIG to a checkout of nvim-lspconfig') }, () => driveNeovim(lspconfig));

test('Emacs with eglot: diagnostics, hover, a quick fix applied and saved', { skip: emacsMissing }, () => {
  const folder = scratchModel('einsight-emacs-');
  const resultFile = path.join(folder, 'result.json');
  const run = spawnSync('emacs', ['--batch', '-l', path.join(REPO_ROOT, 'test', 'editors', 'emacs.el'), 'model.py'], {
    cwd: folder,
    env: { ...process.env, EINSIGHT_SERVER: SERVER, EINSIGHT_EMACS_RESULT: resultFile },
    encoding: 'utf8',
    timeout: 90_000,
  });
  assert.equal(run.status, 0, `emacs exited with ${run.status}: ${run.stderr}`);
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.diagnostics, [`einsight [EIN001]: ${MESSAGE}`]);
  assert.match(result.hover, HOVER);
  assert.equal(result.action, ACTION);
  assert.equal(result.written, true);
  assert.equal(readFileSync(path.join(folder, 'model.py'), 'utf8'), FIXED);
  assert.equal(result.cleared, true, 'the finding is gone once the server has the edit');
});
