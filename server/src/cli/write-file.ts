/**
 * How `einsight fix --write` replaces a file: through a temporary file beside it (the file a
 * symbolic link points to, so the link stays a link), flushed to disk, given the file's owner
 * and then its mode (a change of owner clears setuid and setgid, so the mode comes last), and
 * renamed over it. A reader, or a crash, sees the old file or the new one, never half of one.
 * Refused: a file that changed since it was read, a read-only file, and a file with other hard
 * links (a rename would leave them holding the old text; writing in place would not be atomic).
 * Temporary files are named `.NAME.einsight-PID-RANDOM.tmp`: a run killed outright (SIGKILL)
 * leaves one, and the next run that fixes NAME removes it once that process is gone.
 * (`realpathSync.native`: the JavaScript one turns a path's bytes into UTF-8 text on the way.)
 */
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, chownSync, closeSync, constants, fsyncSync, lstatSync, openSync, readdirSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { describeFsError } from '../analysis/regular-file';
import { decodePathBytes } from './printable';

/**
 * Temporary files of ours, for the file named `name`: this version's (with the writer's pid)
 * and earlier ones. Names are matched as latin1 text: one character per byte, UTF-8 or not.
 */
function temporaryPattern(name: Buffer): RegExp {
  const escaped = name.toString('latin1').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${escaped}\\.einsight-(?:(\\d+)-)?[0-9a-f]{12}\\.tmp$`);
}

/** Paths as bytes throughout: a name that is not UTF-8 is then written like any other. */
function bytesOf(path: string | Buffer): Buffer {
  return typeof path === 'string' ? Buffer.from(path, 'utf8') : path;
}

/** The folder and the name of a path. */
function split(path: Buffer): { dir: Buffer; name: Buffer } {
  const slash = path.lastIndexOf(0x2f);
  return { dir: slash < 0 ? Buffer.from('.') : slash === 0 ? Buffer.from('/') : path.subarray(0, slash), name: path.subarray(slash + 1) };
}

function child(dir: Buffer, name: Buffer | string): Buffer {
  return Buffer.concat([dir, Buffer.from('/'), bytesOf(name)]);
}

/** Temporaries of earlier versions carry no pid: they are stale once this old. */
const UNOWNED_STALE_MS = 10 * 60 * 1000;

/**
 * Removes temporary files a killed run left beside `file`: those whose process is gone (or,
 * without a pid, older than ten minutes). Returns the paths removed.
 */
export function removeStaleTemporaries(file: string | Buffer): string[] {
  let target: Buffer;
  try {
    target = realpathSync.native(bytesOf(file), { encoding: 'buffer' });
  } catch {
    return [];
  }
  const { dir, name: base } = split(target);
  const pattern = temporaryPattern(base);
  let names: Buffer[];
  try {
    names = readdirSync(dir, { encoding: 'buffer' });
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = pattern.exec(name.toString('latin1'));
    if (!match) continue;
    const path = child(dir, name);
    try {
      const stat = lstatSync(path);
      const stale = match[1] !== undefined ? !processAlive(Number(match[1])) : Date.now() - stat.mtimeMs > UNOWNED_STALE_MS;
      if (stat.isFile() && stale) {
        unlinkSync(path);
        removed.push(decodePathBytes(path));
      }
    } catch {
      // Gone already, or not ours to remove.
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Replaces `file`, whose text was `original` when read, with `bytes`. Returns why it was not
 * written, or null. `stillOriginal` re-reads the file just before the rename.
 */
export function replaceFile(file: string | Buffer, bytes: Buffer, stillOriginal: (path: Buffer) => boolean): string | null {
  let temporary: Buffer | null = null;
  try {
    const target = realpathSync.native(bytesOf(file), { encoding: 'buffer' });
    const stat = statSync(target);
    const refusal = refuseToReplace(target, stat.nlink, stat.mode, stat.uid);
    if (refusal) return refusal;
    const { dir, name } = split(target);
    temporary = child(dir, Buffer.concat([Buffer.from('.'), name, Buffer.from(`.einsight-${process.pid}-${randomBytes(6).toString('hex')}.tmp`)]));
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeAll(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    keepOwner(temporary, stat.uid, stat.gid);
    chmodSync(temporary, stat.mode & 0o7777);
    if (!stillOriginal(target)) {
      unlinkSync(temporary);
      return 'it changed while einsight was fixing it';
    }
    renameSync(temporary, target);
    return null;
  } catch (error) {
    if (temporary !== null) removeQuietly(temporary);
    return describeFsError(error);
  }
}

function refuseToReplace(target: Buffer, links: number, mode: number, uid: number): string | null {
  if (links > 1) return `it has ${links} hard links, which a rewrite would leave holding the old text (apply the diff from 'einsight fix' instead)`;
  // root may write anything: a file with no write bit at all is read-only by intent.
  const readOnly = process.getuid?.() === 0 ? (mode & 0o222) === 0 : !writable(target);
  if (readOnly) return `it is read-only (mode ${(mode & 0o7777).toString(8).padStart(4, '0')}${uid === process.getuid?.() ? '' : `, owner ${uid}`})`;
  return null;
}

function writable(path: Buffer): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `writeSync` may write less than asked (a full disk reports ENOSPC on the next call). */
function writeAll(fd: number, bytes: Buffer): void {
  for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
}

/** The rewritten file keeps its owner and group where the user may give them (root fixing another user's file). */
function keepOwner(path: Buffer, uid: number, gid: number): void {
  try {
    chownSync(path, uid, gid);
  } catch {
    // Only root may give a file away; an ordinary user's file is already theirs.
  }
}

function removeQuietly(path: Buffer): void {
  try {
    unlinkSync(path);
  } catch {
    // Nothing was created, or it is already gone.
  }
}

const STOPPING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * While files are being written, SIGINT, SIGTERM and SIGHUP do not kill the process in the
 * middle of a write: each file is finished (renamed, or its temporary removed), `stopped()`
 * then names the signal, and the caller stops and exits with 128 + its number.
 */
export class WriteGuard {
  private caught: NodeJS.Signals | null = null;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.caught ??= signal;
  };

  constructor() {
    for (const signal of STOPPING_SIGNALS) process.on(signal, this.onSignal);
  }

  /** The signal received, after letting pending signals be delivered. */
  async stopped(): Promise<NodeJS.Signals | null> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.caught;
  }

  release(): void {
    for (const signal of STOPPING_SIGNALS) process.off(signal, this.onSignal);
  }
}

export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + osConstants.signals[signal];
}
