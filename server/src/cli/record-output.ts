/**
 * Saving a recorded run: the per-process files merged with each other and with what the
 * observed file already held (recordings of calls no longer in the code are dropped), written
 * atomically under a lock so that two runs finishing together both count.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { emptyObserved, MAX_RUNS, parseObserved, serializeObserved, type ObservedFile, type ObservedRun, type ObservedSite } from '../analysis/observed/format';
import { mergeSites, parseProcessRecording, relocate } from '../analysis/observed/merge';
import { OBSERVED_LIMIT_BYTES, observedBase, observedKey } from '../analysis/observed/store';
import { readProjectFile } from '../analysis/regular-file';
import { decodePython, readBytes } from './source-text';
import { packageVersion } from './version';

export interface RecordSummary {
  /** Sites recorded in this run. */
  sites: number;
  calls: number;
  timeNs: number;
  processes: number;
  /** Earlier recordings dropped because their call is no longer in the code. */
  dropped: number;
  problems: string[];
}

export interface SaveRequest {
  /** The per-process files of this run. */
  recordings: string[];
  out: string;
  fresh: boolean;
  run: ObservedRun;
}

const LOCK_WAIT_MS = 30_000;
/** A lock older than this was left by a process that died while holding it. */
const STALE_LOCK_MS = 60_000;

export function saveRecording(request: SaveRequest): RecordSummary {
  const summary: RecordSummary = { sites: 0, calls: 0, timeNs: 0, processes: 0, dropped: 0, problems: [] };
  const base = observedBase(request.out);
  const recorded = new Map<string, ObservedSite[]>();
  for (const path of request.recordings) {
    const parsed = parseProcessRecording(readFileSync(path, 'utf8'));
    if (typeof parsed === 'string') {
      summary.problems.push(`skipped a process's recording (${parsed})`);
      continue;
    }
    summary.processes++;
    for (const { file, site } of parsed.sites) {
      const key = observedKey(base, file);
      const list = recorded.get(key);
      if (list) list.push(site);
      else recorded.set(key, [site]);
    }
  }
  if (recorded.size === 0) return summary;
  withLock(`${request.out}.lock`, () => {
    const file = request.fresh ? emptyObserved(generator()) : readExisting(request.out, summary);
    for (const key of new Set([...Object.keys(file.files), ...recorded.keys()])) {
      const text = readSource(join(base, key));
      const earlier = relocate(file.files[key] ?? [], text);
      summary.dropped += (file.files[key]?.length ?? 0) - earlier.length;
      // The run's own recordings are checked too: the file may have been edited while it ran.
      const now = relocate(mergeSites(recorded.get(key) ?? []), text);
      for (const site of now) {
        summary.sites++;
        summary.calls += site.calls;
        if (!site.nested) summary.timeNs += site.timeNs;
      }
      const merged = mergeSites([...earlier, ...now]);
      if (merged.length > 0) file.files[key] = merged;
      else delete file.files[key];
    }
    file.generator = generator();
    file.runs = [...file.runs, { ...request.run, processes: summary.processes, calls: summary.calls }].slice(-MAX_RUNS);
    writeAtomically(request.out, serializeObserved(file));
  });
  return summary;
}

function readExisting(path: string, summary: RecordSummary): ObservedFile {
  const read = readProjectFile(path, OBSERVED_LIMIT_BYTES);
  if ('error' in read && read.missing) return emptyObserved(generator());
  const parsed = 'error' in read ? { error: read.error } : parseObserved(read.ok);
  if ('ok' in parsed) {
    for (const problem of parsed.problems) summary.problems.push(`${path}: dropped ${problem}`);
    return parsed.ok;
  }
  // Never thrown away silently: the unreadable file is kept beside the new one.
  const kept = `${path}.unreadable`;
  renameSync(path, kept);
  summary.problems.push(`${path} could not be read (${parsed.error}); it was moved to ${kept} and a new one started`);
  return emptyObserved(generator());
}

/** The source file as Python read it when it ran; null when it is gone or unreadable. */
function readSource(path: string): string | null {
  const bytes = readBytes(path);
  const text = 'error' in bytes ? null : decodePython(bytes.ok);
  return text && 'ok' in text ? text.ok.replace(/^\uFEFF/, '') : null;
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Runs `work` holding an exclusive lock file (created with O_EXCL), waiting for another holder. */
function withLock(lock: string, work: () => void): void {
  mkdirSync(dirname(resolve(lock)), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (isStale(lock)) {
        unlinkSync(lock);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} is held by another einsight record; remove it if no recording is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    work();
  } finally {
    unlinkSync(lock);
  }
}

function isStale(lock: string): boolean {
  try {
    return Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false;
  }
}

function generator(): string {
  return `einsight ${packageVersion()}`;
}
