/**
 * `npm run test:package`: the package as npm would publish it, installed as a user would. `npm
 * pack` makes the tarball (prepack bundles the CLI and the language server); `npm install
 * --global` puts it in an empty prefix, away from this checkout; then the installed `einsight
 * check` reports a finding in a Python and a TypeScript file, and `einsight lsp --stdio` and
 * `einsight-language-server` answer an editor: diagnostics, a hover, a clean shutdown. Slow
 * (a build, a bundle and an install), so CI runs it on its own (.ci/run), not in `npm test`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { LspTestClient } from '../support/lsp-client';
import { REPO_ROOT } from '../support/oracle';

const PYTHON = `import numpy as np
a = np.random.rand(8, 64)
b = np.random.rand(64, 128)
c = np.random.rand(128, 4)
d = np.einsum('ij,jk,kl->il', a, b, c)
`;
const TYPESCRIPT = `import * as tf from '@tensorflow/tfjs';
const a = tf.ones([64, 2]), b = tf.ones([2, 64]), c = tf.ones([64, 3]);
export const r = tf.einsum('ij,jk,kl->il', a, b, c);
`;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function step(what: string, started: number): void {
  console.log(`package: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'einsight-package-'));
  // onnxruntime-node's install script would download GPU libraries; measure is not tested here.
  const env = { ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  try {
    const packed = run('npm', ['pack', '--pack-destination', scratch], REPO_ROOT, env);
    assert.equal(packed.code, 0, packed.stderr);
    const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball, `npm pack made no tarball:\n${packed.stdout}`);
    step(`npm pack: ${tarball}`, started);

    const empty = path.join(scratch, 'empty');
    const prefix = path.join(scratch, 'prefix');
    mkdirSync(empty);
    const installed = run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', path.join(scratch, tarball)], empty, env);
    assert.equal(installed.code, 0, installed.stderr);
    step('npm install --global into an empty prefix', started);
    const bin = (name: string) => path.join(prefix, 'bin', name);

    assert.match(run(bin('einsight'), ['--version'], empty).stdout, /^einsight \d+\.\d+\.\d+\n$/);
    writeFileSync(path.join(empty, 'model.py'), PYTHON);
    writeFileSync(path.join(empty, 'model.ts'), TYPESCRIPT);
    const check = run(bin('einsight'), ['check', '.'], empty);
    assert.equal(check.code, 1, check.stderr);
    assert.match(check.stdout, /^model\.py:5:5 EIN001 numpy\.einsum without optimize runs one loop over every index: 786,432 FLOPs; /m);
    assert.match(check.stdout, /^model\.ts:3:50 EIN009 tfjs.s tf\.einsum takes at most 2 operands/m);
    step('einsight check: Python and TypeScript findings', started);

    for (const command of [[bin('einsight'), 'lsp', '--stdio'], [bin('einsight-language-server')]]) {
      const client = await LspTestClient.start({ command });
      const uri = pathToFileURL(path.join(empty, 'model.py')).toString();
      await client.open(uri, PYTHON);
      const { diagnostics } = await client.waitForDiagnostics(uri, 1, 30_000);
      assert.deepEqual(diagnostics.map((d) => d.code), ['EIN001']);
      const hover = await client.hover(uri, { line: 4, character: 8 });
      assert.match((hover?.contents as MarkupContent).value, /^\*\*numpy\.einsum\*\* `ij,jk,kl->il` → `\(8, 4\)`/);
      assert.equal(await client.stop(), 0);
      step(`${path.basename(command[0])} ${command.slice(1).join(' ')}: diagnostics, hover, shutdown`, started);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`package: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
