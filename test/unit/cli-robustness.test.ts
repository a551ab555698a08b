/**
 * `einsight check` and `einsight fix` on what real trees hold: TypeScript/JavaScript and
 * notebooks beside Python, FIFOs, dangling links and link loops, files that are not UTF-8,
 * read errors (injected: the tests run as root, who reads everything), thousands of files.
 * Each problem gets one message naming its path; exit 2 is kept for usage errors.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs = require('node:fs');
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { REPO_ROOT } from '../support/oracle';
import { runCli } from '../support/cli';

const MIXED = join(REPO_ROOT, 'test', 'fixtures', 'cli', 'mixed');
const root = fs.mkdtempSync(join(tmpdir(), 'einsight-robust-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let counter = 0;

function tree(files: Record<string, string | Buffer>): string {
  const dir = join(root, `t${counter++}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(dirname(join(dir, name)), { recursive: true });
    fs.writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** The first column of each finding line: which files reported something. */
function reported(stdout: string): string[] {
  return stdout
    .trim()
    .split('\n')
    .slice(0, -1)
    .map((line) => line.slice(0, line.indexOf(' ')));
}

const TFJS_THREE = `import * as tf from '@tensorflow/tfjs';
const a = tf.ones([10, 100]), b = tf.ones([100, 50]), c = tf.ones([50, 5]);
export const r = tf.einsum('ij,jk,kl->il', a, b, c);
`;
const TFJS_SPLIT = TFJS_THREE.replace("tf.einsum('ij,jk,kl->il', a, b, c)", "tf.einsum('ij,jl->il', a, tf.einsum('jk,kl->jl', b, c))");
const COSTLY_PY = 'import numpy as np\nr = np.einsum("ij,jk,kl->il", np.ones((10, 100)), np.ones((100, 50)), np.ones((50, 5)))\n';

describe('einsight check on TypeScript, JavaScript and notebooks', () => {
  it('walks every script extension, skips declaration files and node_modules, and locates notebook findings by cell', async () => {
    const cwd = process.cwd();
    process.chdir(MIXED);
    try {
      const result = await runCli(['check', '.']);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, '');
      assert.deepEqual(reported(result.stdout), ['model.py:6:5', 'notebooks/analysis.ipynb:cell', 'web/layer.ts:6:50', 'web/view.tsx:3:11']);
      assert.match(result.stdout, /^notebooks\/analysis\.ipynb:cell 3:3:5 EIN001 numpy\.einsum without optimize/m);
      assert.match(result.stdout, /^web\/layer\.ts:6:50 EIN009 tfjs's tf\.einsum takes at most 2 operands/m);
      // model.py, the Python notebook, layer.ts, view.tsx, clean.mjs, helper.cjs; not the Julia notebook, the .d.ts or node_modules.
      assert.match(result.stdout, /4 findings in 6 files \(6 contraction sites\)\.\n$/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('reports every site of every language in JSON, a notebook site with its cell', async () => {
    const json = JSON.parse((await runCli(['check', MIXED, '--format', 'json'])).stdout);
    const sites = json.sites.map((s: { file: string; cell?: number; line: number; equation: string; library: string; baseline: { flops: number } }) => [
      s.file.slice(MIXED.length + 1),
      s.cell ?? null,
      s.line,
      s.library,
      s.equation,
      s.baseline.flops,
    ]);
    assert.deepEqual(sites, [
      ['model.py', null, 6, 'numpy', 'ij,jk,kl->il', 750000],
      ['notebooks/analysis.ipynb', 3, 3, 'numpy', 'ij,jk,kl->il', 750000],
      ['web/clean.mjs', null, 3, 'tfjs', 'ij,jk->ik', 48],
      ['web/helper.cjs', null, 5, 'tfjs', 'ij,jk->ik', 65536],
      ['web/layer.ts', null, 6, 'tfjs', 'ij,jk,kl->il', 105000],
      ['web/view.tsx', null, 3, 'tfjs', 'ab,bc,cd->ad', 5242880],
    ]);
    assert.equal(json.findings.find((f: { file: string }) => f.file.endsWith('.ipynb')).cell, 3);
  });

  it('names the cell and line of a notebook finding in SARIF, with no region in the notebook JSON', async () => {
    const sarif = JSON.parse((await runCli(['check', join(MIXED, 'notebooks'), '--format', 'sarif'])).stdout);
    const [result] = sarif.runs[0].results;
    assert.equal(result.message.text.slice(0, 20), 'Cell 3, line 3: nump');
    assert.deepEqual(result.properties, { cell: 3, line: 3, column: 5, speedup: 12.5 });
    assert.equal(result.locations[0].physicalLocation.region, undefined);
  });

  it('reads a declaration file or an extension-less script named on the command line', async () => {
    const dir = tree({ 'script': COSTLY_PY, 'types.d.ts': TFJS_THREE });
    const result = await runCli(['check', join(dir, 'script'), join(dir, 'types.d.ts')]);
    assert.deepEqual(reported(result.stdout), [`${dir}/script:2:5`, `${dir}/types.d.ts:3:50`]);
  });

  it('reports a broken notebook and still checks the rest', async () => {
    const dir = tree({ 'broken.ipynb': '{"cells": [', 'old.ipynb': '{"worksheets": []}', 'ok.py': COSTLY_PY });
    const result = await runCli(['check', dir]);
    assert.equal(result.code, 1);
    assert.deepEqual(reported(result.stdout), [`${dir}/ok.py:2:5`]);
    assert.match(result.stderr, new RegExp(`^einsight check: cannot read '${dir}/broken\\.ipynb': not a valid notebook: `, 'm'));
    assert.match(result.stderr, new RegExp(`^einsight check: cannot read '${dir}/old\\.ipynb': not a valid notebook: no "cells" list \\(nbformat 4\\)$`, 'm'));
  });
});

describe('einsight check on troubled trees', () => {
  it('reports a FIFO, a dangling link, a link loop and a non-UTF-8 file once each, and checks the rest (exit 1)', async () => {
    const dir = tree({ 'ok.py': COSTLY_PY, 'latin1.py': Buffer.from('x = 1\n# caf\xe9\n', 'latin1') });
    execFileSync('mkfifo', [join(dir, 'pipe.py')]);
    fs.symlinkSync(join(dir, 'nowhere.py'), join(dir, 'dangling.py'));
    fs.symlinkSync(join(dir, 'loop-b.py'), join(dir, 'loop-a.py'));
    fs.symlinkSync(join(dir, 'loop-a.py'), join(dir, 'loop-b.py'));
    fs.mkdirSync(join(dir, 'sub'));
    fs.symlinkSync(dir, join(dir, 'sub', 'up'));
    // The walk neither follows links nor opens FIFOs: only the undecodable file is a problem.
    const walked = await runCli(['check', dir]);
    assert.equal(walked.code, 1);
    assert.deepEqual(reported(walked.stdout), [`${dir}/ok.py:2:5`]);
    assert.equal(walked.stderr, `einsight check: cannot read '${dir}/latin1.py': not valid UTF-8 at line 2\n`);
    // Named on the command line, each is read and each problem told.
    const named = await runCli(['check', join(dir, 'ok.py'), join(dir, 'pipe.py'), join(dir, 'dangling.py'), join(dir, 'loop-a.py')]);
    assert.equal(named.code, 1);
    assert.deepEqual(reported(named.stdout), [`${dir}/ok.py:2:5`]);
    assert.equal(
      named.stderr,
      [
        `einsight check: cannot read '${dir}/pipe.py': not a regular file or folder`,
        `einsight check: cannot read '${dir}/dangling.py': symbolic link to a missing file or folder`,
        `einsight check: cannot read '${dir}/loop-a.py': symbolic link loop`,
        '',
      ].join('\n'),
    );
  });

  it('exits 2 for a path that does not exist, after checking the others', async () => {
    const dir = tree({ 'ok.py': COSTLY_PY });
    const result = await runCli(['check', join(dir, 'missing.py'), dir]);
    assert.equal(result.code, 2);
    assert.deepEqual(reported(result.stdout), [`${dir}/ok.py:2:5`]);
    assert.equal(result.stderr, `einsight check: cannot read '${dir}/missing.py': no such file or folder\n`);
  });

  it('exits 1 for problems alone, without findings', async () => {
    const dir = tree({ 'clean.py': 'x = 1\n', 'bad.py': Buffer.from([0x78, 0x0a, 0xff]) });
    const result = await runCli(['check', dir]);
    assert.deepEqual([result.code, result.stdout], [1, 'No findings in 1 file (0 contraction sites).\n']);
  });

  it('analyses a Python file in the encoding it declares (PEP 263)', async () => {
    const latin1 = Buffer.from(`# -*- coding: latin-1 -*-\n# caf\xe9\n${COSTLY_PY}`, 'latin1');
    const dir = tree({ 'declared.py': latin1, 'unknown.py': '# coding: klingon\nx = 1\n' });
    const result = await runCli(['check', dir]);
    assert.deepEqual(reported(result.stdout), [`${dir}/declared.py:4:5`]);
    assert.equal(result.stderr, `einsight check: cannot read '${dir}/unknown.py': declares the unknown encoding 'klingon'\n`);
  });

  it('reports folders and files the system refuses (EACCES, EIO) and checks the rest', async () => {
    const dir = tree({ 'ok.py': COSTLY_PY, 'secret/a.py': COSTLY_PY, 'locked.py': COSTLY_PY, 'broken.ts': TFJS_THREE });
    const refused: Record<string, string> = { [join(dir, 'secret')]: 'EACCES', [join(dir, 'locked.py')]: 'EACCES', [join(dir, 'broken.ts')]: 'EIO' };
    const fail = (path: unknown) => {
      const code = refused[String(path)];
      if (code) throw Object.assign(new Error(`${code}: refused, '${String(path)}'`), { code });
    };
    const readdir = fs.readdirSync;
    const open = fs.openSync;
    mock.method(fs, 'readdirSync', (path: fs.PathLike, options?: never) => (fail(path), readdir(path, options)));
    mock.method(fs, 'openSync', (path: fs.PathLike, flags: number) => (fail(path), open(path, flags)));
    try {
      const result = await runCli(['check', dir]);
      assert.equal(result.code, 1);
      assert.deepEqual(reported(result.stdout), [`${dir}/ok.py:2:5`]);
      assert.equal(
        result.stderr,
        [
          `einsight check: cannot read '${dir}/secret': permission denied`,
          `einsight check: cannot read '${dir}/broken.ts': input/output error`,
          `einsight check: cannot read '${dir}/locked.py': permission denied`,
          '',
        ].join('\n'),
      );
    } finally {
      mock.restoreAll();
    }
  });

  it('walks a tree of thousands of files', async () => {
    const files: Record<string, string> = {};
    for (let d = 0; d < 40; d++) for (let f = 0; f < 75; f++) files[`pkg${d}/sub${f % 5}/m${f}.${f % 3 === 0 ? 'ts' : 'py'}`] = f % 3 === 0 ? 'export const x = 1;\n' : 'x = 1\n';
    files['pkg7/sub2/hot.py'] = COSTLY_PY;
    const dir = tree(files);
    const result = await runCli(['check', dir]);
    assert.equal(result.code, 1);
    assert.deepEqual(reported(result.stdout), [`${dir}/pkg7/sub2/hot.py:2:5`]);
    assert.match(result.stdout, /1 finding in 3001 files \(1 contraction site\)\.\n$/);
  });

  it('reports a file too deeply nested to analyse at its deepest point', async () => {
    const deep = `import numpy as np\nx = ${'f('.repeat(3000)}1${')'.repeat(3000)}\n`;
    const dir = tree({ 'deep.py': deep, 'ok.py': COSTLY_PY });
    const result = await runCli(['check', dir]);
    assert.equal(result.code, 1);
    assert.deepEqual(reported(result.stdout), [`${dir}/ok.py:2:5`]);
    assert.match(result.stderr, new RegExp(`^${dir}/deep\\.py:2:\\d+: not analysed: the code nests more than 2,500 levels deep \\(here\\)\\n$`));
  });
});

describe('einsight fix on TypeScript and troubled trees', () => {
  it('prints and writes TypeScript fixes, and leaves a file that does not parse alone', async () => {
    const broken = `${TFJS_THREE}const x = (;\n`;
    const dir = tree({ 'layer.ts': TFJS_THREE, 'app.mjs': TFJS_THREE, 'broken.ts': broken, 'types.d.ts': TFJS_THREE });
    const diff = await runCli(['fix', dir]);
    assert.equal(diff.code, 1);
    assert.match(diff.stdout, new RegExp(`^\\+export const r = tf\\.einsum\\('ij,jl->il', a, tf\\.einsum\\('jk,kl->jl', b, c\\)\\);$`, 'm'));
    assert.deepEqual(
      diff.stdout.split('\n').filter((l) => l.startsWith('--- ')),
      // Diff headers are relative to the working directory (`patch -p1` applies them there).
      [`--- a/${relative(process.cwd(), dir)}/app.mjs`, `--- a/${relative(process.cwd(), dir)}/layer.ts`],
    );
    const written = await runCli(['fix', '--write', dir]);
    assert.equal(written.code, 1);
    assert.equal(written.stdout, `${dir}/app.mjs: applied 1 einsight fix (EIN009)\n${dir}/layer.ts: applied 1 einsight fix (EIN009)\n`);
    assert.equal(written.stderr, `${dir}/broken.ts:4:12: syntax error; fix the file before applying fixes to it\n`);
    assert.equal(fs.readFileSync(join(dir, 'layer.ts'), 'utf8'), TFJS_SPLIT);
    assert.equal(fs.readFileSync(join(dir, 'broken.ts'), 'utf8'), broken);
    assert.equal(fs.readFileSync(join(dir, 'types.d.ts'), 'utf8'), TFJS_THREE);
  });

  it('refuses to rewrite notebooks and files too deeply nested to parse', async () => {
    const deep = `import * as tf from '@tensorflow/tfjs';\nconst x = ${'('.repeat(3000)}1${')'.repeat(3000)};\n`;
    const dir = tree({ 'deep.ts': deep, 'nb.ipynb': '{"cells": []}' });
    const result = await runCli(['fix', '--write', join(dir, 'deep.ts'), join(dir, 'nb.ipynb')]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `${dir}/deep.ts:2:3010: not analysed: the code nests too deeply to analyse (brackets nest 3000 deep here); left as it is\n` +
        `einsight fix: '${dir}/nb.ipynb' not fixed: notebooks are fixed in the editor\n`,
    );
    assert.equal(fs.readFileSync(join(dir, 'deep.ts'), 'utf8'), deep);
  });

  it('rewrites the file a symbolic link points to, and the link stays a link', async () => {
    const dir = tree({ 'real/layer.ts': TFJS_THREE });
    fs.symlinkSync(join(dir, 'real', 'layer.ts'), join(dir, 'link.ts'));
    const result = await runCli(['fix', '--write', join(dir, 'link.ts')]);
    assert.equal(result.code, 0);
    assert.ok(fs.lstatSync(join(dir, 'link.ts')).isSymbolicLink());
    assert.equal(fs.readFileSync(join(dir, 'real', 'layer.ts'), 'utf8'), TFJS_SPLIT);
    assert.deepEqual(fs.readdirSync(join(dir, 'real')), ['layer.ts']);
  });

  it('never leaves a half-written file: a failed write or rename keeps the original and removes the temporary', async () => {
    for (const failure of ['write', 'rename'] as const) {
      const dir = tree({ 'layer.ts': TFJS_THREE, 'model.py': COSTLY_PY });
      const writeSync = fs.writeSync;
      if (failure === 'write') {
        // Half the bytes reach the temporary file, then the disk is full.
        let calls = 0;
        mock.method(fs, 'writeSync', (fd: number, buffer: Buffer, offset: number, length: number) => {
          if (calls++ === 0) return writeSync(fd, buffer, offset, Math.floor(length / 2));
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        });
      } else {
        mock.method(fs, 'renameSync', () => {
          throw Object.assign(new Error('EXDEV: cross-device link not permitted, rename'), { code: 'EXDEV' });
        });
      }
      try {
        const result = await runCli(['fix', '--write', dir]);
        assert.equal(result.code, 1, failure);
        assert.equal(result.stdout, '', failure);
        const reason = failure === 'write' ? 'ENOSPC: no space left on device, write' : 'EXDEV: cross-device link not permitted, rename';
        assert.equal(result.stderr, `einsight fix: '${dir}/layer.ts' not written: ${reason}\neinsight fix: '${dir}/model.py' not written: ${reason}\n`, failure);
      } finally {
        mock.restoreAll();
      }
      assert.equal(fs.readFileSync(join(dir, 'layer.ts'), 'utf8'), TFJS_THREE, failure);
      assert.equal(fs.readFileSync(join(dir, 'model.py'), 'utf8'), COSTLY_PY, failure);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['layer.ts', 'model.py'], failure);
    }
  });

  it('flushes the temporary file to disk before renaming it over the original', async () => {
    const dir = tree({ 'layer.ts': TFJS_THREE });
    const order: string[] = [];
    const fsync = fs.fsyncSync;
    const rename = fs.renameSync;
    mock.method(fs, 'fsyncSync', (fd: number) => (order.push('fsync'), fsync(fd)));
    mock.method(fs, 'renameSync', (from: fs.PathLike, to: fs.PathLike) => (order.push('rename'), rename(from, to)));
    try {
      assert.equal((await runCli(['fix', '--write', dir])).code, 0);
    } finally {
      mock.restoreAll();
    }
    assert.deepEqual(order, ['fsync', 'rename']);
  });

  it('never writes a result that would not parse', async () => {
    const rewrite = require('einsight-server/rewrite/index') as typeof import('einsight-server/rewrite/index');
    const dir = tree({ 'layer.ts': TFJS_THREE, 'model.py': COSTLY_PY });
    // A defective fix: it deletes a closing parenthesis.
    mock.method(rewrite, 'fixAll', (_analysis: unknown, text: string) => {
      const at = text.lastIndexOf(')');
      return { title: 'Apply 1 einsight fix (EIN001)', kind: 'source.fixAll', code: 'EIN001', edits: [{ range: { start: at, end: at + 1 }, newText: '' }] };
    });
    try {
      const result = await runCli(['fix', '--write', dir]);
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `einsight fix: '${dir}/layer.ts' not written: the fixed text would not parse\neinsight fix: '${dir}/model.py' not written: the fixed text would not parse\n`,
      );
    } finally {
      mock.restoreAll();
    }
    assert.equal(fs.readFileSync(join(dir, 'layer.ts'), 'utf8'), TFJS_THREE);
    assert.equal(fs.readFileSync(join(dir, 'model.py'), 'utf8'), COSTLY_PY);
  });

  it('reports a file that cannot be read and fixes the others (exit 1; 2 only for a missing path)', async () => {
    const dir = tree({ 'layer.ts': TFJS_THREE, 'bad.py': Buffer.from([0x78, 0x0a, 0xff]) });
    const result = await runCli(['fix', '--write', dir]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, `${dir}/layer.ts: applied 1 einsight fix (EIN009)\n`);
    assert.equal(result.stderr, `einsight fix: cannot read '${dir}/bad.py': not valid UTF-8 at line 2\n`);
    assert.equal((await runCli(['fix', join(dir, 'nope.py')])).code, 2);
  });
});
