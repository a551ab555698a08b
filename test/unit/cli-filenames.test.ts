/**
 * File names that are not plain text. A newline in a name used to forge a finding line for CI
 * problem matchers, and terminal escapes reached the terminal; text output now escapes control
 * characters and bidirectional overrides, while JSON and SARIF keep the exact name. A name that
 * is not UTF-8 used to be "no such file" (Node's directory listing replaced its bytes): it is
 * now read, fixed and shown with its odd bytes as `\xNN`.
 */
import assert from 'node:assert/strict';
import fs = require('node:fs');
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { printable } from 'einsight-server/cli/printable';
import { runCli } from '../support/cli';

const COSTLY = 'import numpy as np\nr = np.einsum("ij,jk,kl->il", np.ones((10, 100)), np.ones((100, 50)), np.ones((50, 5)))\n';
const root = fs.mkdtempSync(join(tmpdir(), 'einsight-names-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let counter = 0;

function folder(): string {
  const dir = join(root, `f${counter++}`);
  fs.mkdirSync(dir);
  return dir;
}

describe('names with control characters', () => {
  it('text output escapes them; JSON and SARIF keep the name exact', async () => {
    const dir = folder();
    const forged = 'evil\nforged.py:1:1 EIN001 fake finding\n\u001b[31mred\u202eyp.py';
    fs.writeFileSync(join(dir, forged), COSTLY);
    const text = await runCli(['check', dir]);
    assert.equal(text.code, 1);
    const lines = text.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, text.stdout);
    assert.equal(lines[0], `${dir}/evil\\nforged.py:1:1 EIN001 fake finding\\n\\x1b[31mred\\u202eyp.py:2:5 EIN001 numpy.einsum without optimize runs one loop over every index: 750,000 FLOPs; the best path (optimal) needs 60,000 FLOPs (12.5× fewer)`);
    assert.doesNotMatch(text.stdout + text.stderr, /[\u001b\u202e]/);
    const json = JSON.parse((await runCli(['check', dir, '--format', 'json'])).stdout);
    assert.equal(json.findings[0].file, join(dir, forged));
    const sarif = JSON.parse((await runCli(['check', dir, '--format', 'sarif'])).stdout);
    assert.equal(decodeURIComponent(new URL(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).pathname), join(dir, forged));
  });

  it('fix escapes them in its diff, its messages and what it writes', async () => {
    const dir = folder();
    const name = 'a\rb\tc.py';
    fs.writeFileSync(join(dir, name), COSTLY);
    const diff = await runCli(['fix', dir]);
    assert.match(diff.stdout, /^--- a\/.*a\\rb\\tc\.py\n\+\+\+ b\/.*a\\rb\\tc\.py\n/);
    const written = await runCli(['fix', '--write', dir]);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /a\\rb\\tc\.py: applied/);
    assert.notEqual(fs.readFileSync(join(dir, name), 'utf8'), COSTLY);
  });

  it('printable leaves ordinary names alone', () => {
    for (const name of ['src/model.py', 'données/modèle.py', 'C:\\\\work\\\\x.py', '日本語.ts', '😀.py']) assert.equal(printable(name), name);
    assert.equal(printable('a\u0000b\u007fc\u0085d\u2028e\u2066f'), 'a\\x00b\\x7fc\\x85d\\u2028e\\u2066f');
  });
});

describe('names that are not UTF-8', () => {
  it('are found in folders, analysed, fixed and shown with their odd bytes escaped', async () => {
    const dir = folder();
    const bytes = Buffer.concat([Buffer.from(`${dir}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.py')]);
    fs.writeFileSync(bytes, COSTLY);
    const sub = Buffer.concat([Buffer.from(`${dir}/sub-`), Buffer.from([0xe9])]);
    fs.mkdirSync(sub);
    fs.writeFileSync(Buffer.concat([sub, Buffer.from('/inner.py')]), COSTLY);
    const check = await runCli(['check', dir]);
    assert.equal(check.code, 1, check.stderr);
    assert.deepEqual(
      check.stdout.trimEnd().split('\n').map((line) => (line.includes(' EIN') ? line.slice(0, line.indexOf(' EIN')) : line)),
      [`${dir}/bad-\\xff\\xfe.py:2:5`, `${dir}/sub-\\xe9/inner.py:2:5`, '2 findings in 2 files (2 contraction sites).'],
    );
    const fixed = await runCli(['fix', '--write', dir]);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.notEqual(fs.readFileSync(bytes, 'utf8'), COSTLY);
    assert.notEqual(fs.readFileSync(Buffer.concat([sub, Buffer.from('/inner.py')]), 'utf8'), COSTLY);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('einsight')), []);
  });

  it('named on the command line (Node receives it with its bytes replaced): said so, not "no such file"', async () => {
    const result = await runCli(['check', join(root, 'bad-\uFFFD.py')]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `einsight check: cannot read '${join(root, 'bad-\uFFFD.py')}': the name is not UTF-8, so it cannot be opened by name: give its folder instead\n`);
  });
});
