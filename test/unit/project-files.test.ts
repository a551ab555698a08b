/**
 * Project files (`requirements*.txt`, `pyproject.toml`, `.gitignore`, ...) that are not what
 * their names promise: a symbolic link to /dev/zero (committable to git), a FIFO, a link loop,
 * a huge file. A plain full read hung `check`, `fix` and `measure` and grew memory without
 * bound; now each is skipped with its path and reason, and the command carries on.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs = require('node:fs');
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PROJECT_FILE_LIMIT_BYTES, readProjectFile, readRegularFile } from 'einsight-server/analysis/regular-file';
import { runCli } from '../support/cli';

const root = fs.mkdtempSync(join(tmpdir(), 'einsight-project-files-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A repository with one costly torch einsum (torch runs it left to right without opt_einsum). */
function repository(): string {
  const dir = join(root, `r${counter++}`);
  fs.mkdirSync(join(dir, '.git'), { recursive: true });
  fs.writeFileSync(
    join(dir, 'model.py'),
    'import torch\nr = torch.einsum("ij,jk,kl->il", torch.ones(100, 100), torch.ones(100, 100), torch.ones(100, 2))\n',
  );
  return dir;
}

describe('reading a project file', () => {
  it('refuses what is not a regular file, naming what it is', async () => {
    const dir = join(root, 'kinds');
    fs.mkdirSync(dir);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    fs.symlinkSync('/dev/zero', join(dir, 'zero'));
    fs.symlinkSync('loop-b', join(dir, 'loop-a'));
    fs.symlinkSync('loop-a', join(dir, 'loop-b'));
    fs.mkdirSync(join(dir, 'folder'));
    const socket = createServer();
    await new Promise<void>((resolve) => socket.listen(join(dir, 'socket'), resolve));
    try {
      const reason = (name: string) => {
        const read = readProjectFile(join(dir, name));
        return 'error' in read ? read.error : `read ${read.ok.length} characters`;
      };
      assert.equal(reason('fifo'), 'not a regular file (a FIFO)');
      assert.equal(reason('zero'), 'not a regular file (a character device)');
      assert.equal(reason('loop-a'), 'symbolic link loop');
      assert.equal(reason('folder'), 'not a regular file (a folder)');
      assert.equal(reason('socket'), 'no such device');
      assert.deepEqual(readProjectFile(join(dir, 'absent')), { error: 'no such file or folder', missing: true });
    } finally {
      socket.close();
    }
  });

  it('refuses a file above the limit without reading it, and reads one at the limit', () => {
    const file = join(root, 'big.txt');
    fs.writeFileSync(file, Buffer.alloc(PROJECT_FILE_LIMIT_BYTES, 0x61));
    assert.equal((readProjectFile(file) as { ok: string }).ok.length, PROJECT_FILE_LIMIT_BYTES);
    fs.appendFileSync(file, 'b');
    assert.deepEqual(readProjectFile(file), { error: 'too large (1 MiB; the limit is 1 MiB)' });
    assert.deepEqual(readRegularFile(file, 10), { error: 'too large (1 MiB; the limit is 10 bytes)' });
  });
});

describe('check, fix and measure skip unreadable project files and carry on', () => {
  it('a requirements file linked to /dev/zero, a FIFO pyproject.toml and a link loop are each named once', async () => {
    const dir = repository();
    fs.symlinkSync('/dev/zero', join(dir, 'requirements.txt'));
    execFileSync('mkfifo', [join(dir, 'pyproject.toml')]);
    fs.symlinkSync('setup.cfg', join(dir, 'setup.cfg'));
    fs.writeFileSync(join(dir, 'requirements-dev.txt'), 'opt_einsum\n');
    const started = Date.now();
    // No interpreter asked: the dependency files decide, so each is read.
    const result = await runCli(['check', dir, '--python', 'none']);
    assert.ok(Date.now() - started < 20_000);
    assert.deepEqual(result.stderr.trim().split('\n'), [
      `einsight check: skipped '${join(dir, 'pyproject.toml')}': not a regular file (a FIFO)`,
      `einsight check: skipped '${join(dir, 'requirements.txt')}': not a regular file (a character device)`,
      `einsight check: skipped '${join(dir, 'setup.cfg')}': symbolic link loop`,
    ]);
    // requirements-dev.txt was still read: torch finds opt_einsum, so the call is not costly.
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^No findings in 1 file \(1 contraction site\)\.$/m);
  });

  it('a .gitignore that is a FIFO or too large is skipped: the walk goes on without its patterns', async () => {
    const dir = repository();
    execFileSync('mkfifo', [join(dir, '.gitignore')]);
    fs.mkdirSync(join(dir, 'sub'));
    fs.writeFileSync(join(dir, 'sub', '.gitignore'), `${'#'.repeat(PROJECT_FILE_LIMIT_BYTES)}\nmodel.py\n`);
    fs.copyFileSync(join(dir, 'model.py'), join(dir, 'sub', 'model.py'));
    const result = await runCli(['check', dir]);
    assert.deepEqual(result.stderr.trim().split('\n'), [
      `einsight check: skipped '${join(dir, '.gitignore')}': not a regular file (a FIFO)`,
      `einsight check: skipped '${join(dir, 'sub', '.gitignore')}': too large (1 MiB; the limit is 1 MiB)`,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /2 findings in 2 files/);
  });

  it('einsight fix and einsight measure name the skipped file too', async () => {
    const dir = repository();
    fs.symlinkSync('/dev/zero', join(dir, 'requirements.txt'));
    const fixed = await runCli(['fix', join(dir, 'model.py'), '--python', 'none']);
    assert.equal(fixed.code, 1);
    assert.match(fixed.stderr, new RegExp(`^einsight fix: skipped '${join(dir, 'requirements.txt')}': not a regular file \\(a character device\\)$`, 'm'));
    // Line 1 holds no contraction: measure stops there, after saying what it skipped.
    const measured = await runCli(['measure', `${join(dir, 'model.py')}:1`, '--python', 'none']);
    assert.equal(measured.code, 2);
    assert.match(measured.stderr, new RegExp(`^einsight measure: skipped '${join(dir, 'requirements.txt')}': not a regular file \\(a character device\\)$`, 'm'));
    const json = await runCli(['measure', `${join(dir, 'model.py')}:1`, '--json', '--python', 'none']);
    assert.deepEqual(JSON.parse(json.stderr.split('\n')[0]), { warning: `skipped '${join(dir, 'requirements.txt')}': not a regular file (a character device)` });
  });
});
