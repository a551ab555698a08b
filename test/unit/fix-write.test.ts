/**
 * `einsight fix --write` and the files it replaces: setuid/setgid bits and the owner kept (the
 * owner first: a change of owner clears those bits), read-only files and files with other hard
 * links refused with the reason, temporaries left by a killed run removed by the next, and
 * SIGINT/SIGTERM/SIGHUP never stopping a write half way. (The tests run as root.)
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs = require('node:fs');
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/oracle';
import { runCli } from '../support/cli';

const EINSUM = "import numpy as np\nA = np.ones((8, 40))\nB = np.ones((40, 40))\nC = np.ones((40, 3))\ny = np.einsum('ij,jk,kl->il', A, B, C)\n";

const root = fs.mkdtempSync(join(tmpdir(), 'einsight-write-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let counter = 0;

function file(name = 'model.py', text = EINSUM): string {
  const dir = join(root, `d${counter++}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(join(dir, name), text);
  return join(dir, name);
}

function temporaries(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.includes('.einsight-'));
}

describe('fix --write keeps what the file was', () => {
  it('keeps setuid, setgid and sticky bits and the owner, in that order', async () => {
    const path = file();
    fs.chownSync(path, 1234, 5678);
    fs.chmodSync(path, 0o6755);
    const result = await runCli(['fix', '--write', path]);
    assert.equal(result.code, 0, result.stderr);
    assert.notEqual(fs.readFileSync(path, 'utf8'), EINSUM);
    const stat = fs.statSync(path);
    assert.deepEqual([stat.mode & 0o7777, stat.uid, stat.gid], [0o6755, 1234, 5678]);
  });

  it('refuses a read-only file, with the reason (exit 1)', async () => {
    const path = file();
    fs.chmodSync(path, 0o444);
    const result = await runCli(['fix', '--write', path]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `einsight fix: '${path}' not written: it is read-only (mode 0444)\n`);
    assert.equal(fs.readFileSync(path, 'utf8'), EINSUM);
  });

  it('refuses a file with another hard link, leaving both names alike', async () => {
    const path = file();
    const other = join(root, `linked-${counter++}.py`);
    fs.linkSync(path, other);
    const result = await runCli(['fix', '--write', path]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /not written: it has 2 hard links, which a rewrite would leave holding the old text/);
    assert.equal(fs.readFileSync(path, 'utf8'), EINSUM);
    assert.equal(fs.statSync(path).ino, fs.statSync(other).ino);
  });
});

describe('temporary files', () => {
  it('the next run removes those a killed run left, and no others', async () => {
    const path = file('a.py');
    const dir = join(path, '..');
    const finished = spawnSync(process.execPath, ['-e', '0']);
    const deadPid = finished.pid!;
    const dead = `.a.py.einsight-${deadPid}-0123456789ab.tmp`;
    const live = `.a.py.einsight-${process.pid}-0123456789ab.tmp`;
    const older = '.a.py.einsight-abcdef012345.tmp';
    const recent = '.a.py.einsight-fedcba543210.tmp';
    const unrelated = '.b.py.einsight-1-0123456789ab.tmp';
    for (const name of [dead, live, older, recent, unrelated]) fs.writeFileSync(join(dir, name), 'partial');
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(join(dir, older), hourAgo, hourAgo);
    const result = await runCli(['fix', '--write', path]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(temporaries(dir).sort(), [live, recent, unrelated].sort());
    assert.deepEqual(result.stderr.trim().split('\n').sort(), [dead, older].map((name) => `einsight fix: removed '${join(dir, name)}', left by an interrupted run`).sort());
  });

  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
    it(`${signal} during the writes: each file whole, no temporary left, exit ${code}`, async () => {
      const dir = join(root, `many-${counter++}`);
      fs.mkdirSync(dir);
      const names = Array.from({ length: 300 }, (_, i) => `m${String(i).padStart(3, '0')}.py`);
      for (const name of names) fs.writeFileSync(join(dir, name), EINSUM);
      const child = spawn(process.execPath, [join(REPO_ROOT, 'server', 'bin', 'einsight.js'), 'fix', '--write', dir], { stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (status, killedBy) => resolve(status ?? (killedBy ? -1 : null))));
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('applied')) resolve();
        }),
      );
      child.kill(signal);
      assert.equal(await exited, code, stderr);
      assert.match(stderr, new RegExp(`stopped by ${signal}: \\d+ of 300 files not written \\(each file is whole: fixed or as it was\\)`));
      assert.deepEqual(temporaries(dir), []);
      const texts = names.map((name) => fs.readFileSync(join(dir, name), 'utf8'));
      const fixed = texts.filter((text) => text !== EINSUM);
      assert.ok(fixed.length > 0 && fixed.length < 300, `${fixed.length} fixed`);
      assert.equal(new Set(fixed).size, 1, 'every fixed file is the same whole text');
    });
  }
});
