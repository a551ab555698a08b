/** `einsight fix`: diffs, atomic writes, filters, and refusals with located messages. */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { unifiedDiff } from 'einsight-server/cli/unified-diff';
import { runCli } from '../support/cli';

const CHAIN = `import numpy as np

A = np.ones((40, 40))
B = np.ones((40, 40))
v = np.ones(40)
y = A @ B @ v
`;

const EINSUM = `import numpy as np

A = np.ones((8, 40))
B = np.ones((40, 40))
C = np.ones((40, 3))
y = np.einsum('ij,jk,kl->il', A, B, C)
`;

const root = mkdtempSync(join(tmpdir(), 'einsight-fix-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

function project(files: Record<string, string | Buffer>): string {
  const dir = join(root, `p${counter++}`);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Runs the CLI from `dir` so paths print relative to it. */
async function fixIn(dir: string, ...argv: string[]) {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await runCli(['fix', ...argv]);
  } finally {
    process.chdir(cwd);
  }
}

test('the default is a unified diff, exit 1, and nothing is written', async () => {
  const dir = project({ 'chain.py': CHAIN });
  const result = await fixIn(dir, '.');
  assert.equal(result.code, 1);
  assert.equal(
    result.stdout,
    `--- a/chain.py
+++ b/chain.py
@@ -3,4 +3,4 @@
 A = np.ones((40, 40))
 B = np.ones((40, 40))
 v = np.ones(40)
-y = A @ B @ v
+y = A @ (B @ v)
`,
  );
  assert.equal(result.stderr, 'einsight fix: fixes for 1 file; run with --write to apply them\n');
  assert.equal(readFileSync(join(dir, 'chain.py'), 'utf8'), CHAIN);
  assert.equal((await fixIn(dir, '--diff', 'chain.py')).stdout, result.stdout);
});

test('--write rewrites in place, keeps the mode, leaves no temporary file, and a second run finds nothing', async () => {
  const dir = project({ 'chain.py': CHAIN, 'sub/e.py': EINSUM });
  chmodSync(join(dir, 'chain.py'), 0o640);
  const result = await fixIn(dir, '--write', '.');
  assert.equal(result.code, 0);
  assert.equal(result.stdout, 'chain.py: applied 1 einsight fix (EIN006)\nsub/e.py: applied 1 einsight fix (EIN001)\n');
  assert.equal(readFileSync(join(dir, 'chain.py'), 'utf8'), CHAIN.replace('A @ B @ v', 'A @ (B @ v)'));
  assert.equal(
    readFileSync(join(dir, 'sub/e.py'), 'utf8'),
    EINSUM.replace("np.einsum('ij,jk,kl->il', A, B, C)", "np.einsum('ij,jl->il', A, np.einsum('jk,kl->jl', B, C))"),
  );
  assert.equal(statSync(join(dir, 'chain.py')).mode & 0o777, 0o640);
  assert.deepEqual(readdirSync(dir).sort(), ['chain.py', 'sub']);
  const again = await fixIn(dir, '.');
  assert.deepEqual(again, { code: 0, stdout: '', stderr: '' });
});

test('--only keeps the fixes of the codes named', async () => {
  const dir = project({ 'chain.py': CHAIN, 'e.py': EINSUM });
  const result = await fixIn(dir, '--only', 'EIN001', '.');
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^--- a\/e\.py$/m);
  assert.doesNotMatch(result.stdout, /chain\.py/);
  const none = await fixIn(dir, '--only=EIN004,EIN005', '.');
  assert.deepEqual(none, { code: 0, stdout: '', stderr: '' });
});

test('--dims sizes decide the order', async () => {
  const dir = project({
    'sym.py': `import numpy as np


def f(x, W, U):
    # einsight: x[B, 32] float64 W[32, 32] float64 U[32, 32] float64
    return np.einsum('ij,jk,kl->il', x, W, U)
`,
  });
  const line = (result: { stdout: string }) => result.stdout.split('\n').find((l) => l.startsWith('+    return'));
  assert.equal(line(await fixIn(dir, '--dims', 'B=1', '.')), "+    return np.einsum('ik,kl->il', np.einsum('ij,jk->ik', x, W), U)");
  assert.equal(line(await fixIn(dir, '--dims', 'B=1000', '.')), "+    return np.einsum('ij,jl->il', x, np.einsum('jk,kl->jl', W, U))");
});

test('usage errors exit 2', async () => {
  const dir = project({ 'chain.py': CHAIN });
  const both = await fixIn(dir, '--diff', '--write', '.');
  assert.equal(both.code, 2);
  assert.match(both.stderr, /^einsight fix: --diff and --write exclude each other/);
  const bad = await fixIn(dir, '--only', 'EIN002', '.');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--only: 'EIN002' has no fix; choose from EIN001, EIN004, EIN005, EIN006, EIN007/);
  assert.equal((await fixIn(dir)).code, 2);
  assert.equal((await fixIn(dir, '--dims', 'B', '.')).code, 2);
});

test('unreadable, undecodable and unparsable files are reported with their location and left alone', async () => {
  const broken = 'import numpy as np\n\ndef f(:\n    pass\n';
  const latin1 = Buffer.from('# caf\xe9\nimport numpy as np\n', 'latin1');
  const dir = project({ 'broken.py': broken, 'latin1.py': latin1, 'chain.py': CHAIN });
  const result = await fixIn(dir, '--write', '.', 'missing.py');
  assert.equal(result.code, 2);
  assert.equal(result.stdout, 'chain.py: applied 1 einsight fix (EIN006)\n');
  assert.equal(
    result.stderr,
    [
      "einsight fix: cannot read 'missing.py': no such file or folder",
      'broken.py:3:7: syntax error; fix the file before applying fixes to it',
      "einsight fix: cannot read 'latin1.py': not valid UTF-8 at line 1",
      '',
    ].join('\n'),
  );
  assert.equal(readFileSync(join(dir, 'broken.py'), 'utf8'), broken);
  assert.deepEqual(readFileSync(join(dir, 'latin1.py')), latin1);
});

test('a byte-order mark survives a rewrite', async () => {
  const dir = project({ 'bom.py': `\uFEFF${CHAIN}` });
  assert.equal((await fixIn(dir, '--write', 'bom.py')).code, 0);
  assert.equal(readFileSync(join(dir, 'bom.py'), 'utf8'), `\uFEFF${CHAIN.replace('A @ B @ v', 'A @ (B @ v)')}`);
});

test('einsight --help lists fix, and fix --help describes it', async () => {
  assert.match((await runCli(['--help'])).stdout, /^ {2}fix {6}apply the quick fixes/m);
  const help = await runCli(['fix', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: einsight fix PATH\.\.\. \[--diff \| --write\]/);
});

test('unified diffs match diff -u: hunks, context, a missing final newline', () => {
  const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
  const text = `${lines.join('\n')}`;
  const at = (line: number) => text.indexOf(`line ${line}\n`);
  const diff = unifiedDiff('f.py', text, [
    { range: { start: at(2), end: at(3) }, newText: '' },
    { range: { start: at(5), end: at(5) }, newText: 'new\n' },
    { range: { start: text.length - 2, end: text.length }, newText: '20\n' },
  ]);
  assert.equal(
    diff,
    `--- a/f.py
+++ b/f.py
@@ -1,7 +1,7 @@
 line 1
-line 2
 line 3
 line 4
+new
 line 5
 line 6
 line 7
@@ -17,4 +17,4 @@
 line 17
 line 18
 line 19
-line 20
\\ No newline at end of file
+line 20
`,
  );
});

test('--diff headers name files relative to the working directory, whichever way they were given', async () => {
  const dir = project({ 'sub/chain.py': CHAIN });
  const absolute = await fixIn(dir, '--diff', join(dir, 'sub', 'chain.py'));
  assert.match(absolute.stdout, /^--- a\/sub\/chain\.py\n\+\+\+ b\/sub\/chain\.py$/m);
  const fromInside = await fixIn(join(dir, 'sub'), '--diff', '../sub/chain.py');
  assert.match(fromInside.stdout, /^--- a\/chain\.py\n\+\+\+ b\/chain\.py$/m);
});
