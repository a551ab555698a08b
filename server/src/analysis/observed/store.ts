/**
 * Where recordings live and how the analysis gets them: `.einsight/observed.json` at the project
 * root (the nearest folder with `pyproject.toml`, `setup.cfg`, `.git` or `.einsight/`), read
 * once and again only when the file changes on disk, and handed to the analysis of one source
 * file as that file's recorded sites.
 */
import { statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProjectFile } from '../regular-file';
import { parseObserved, type ObservedFile, type ObservedSite } from './format';

export const OBSERVED_FOLDER = '.einsight';
export const OBSERVED_NAME = 'observed.json';
const ROOT_MARKERS = ['pyproject.toml', 'setup.cfg', '.git', OBSERVED_FOLDER];
/** Recordings are small (shapes and counts); a larger file is not one einsight wrote. */
export const OBSERVED_LIMIT_BYTES = 64 * 1024 * 1024;
const ROOT_RECHECK_MS = 2000;
/** The functions whose calls are matrix products: their time is not einsum time. */
const MATMUL_CALLEES = new Set(['operator.matmul', 'torch.matmul', 'torch.mm', 'torch.bmm', 'jax.numpy.matmul', 'jax.numpy.dot']);

/** What the analysis of one source file gets: the recordings of that file. */
export interface FileObservations {
  /** The observed file, for messages. */
  source: string;
  sites: ObservedSite[];
  /** Time in einsum calls over the whole recording (not nested in another recorded call). */
  einsumTimeNs: number;
  /** Recorded runs merged into the file. */
  runs: number;
}

export interface LoadedObservations {
  path: string;
  /** Paths in the file are relative to this folder. */
  base: string;
  file: ObservedFile;
  /** Entries skipped as malformed. */
  problems: string[];
  einsumTimeNs: number;
}

export function isMatmulCallee(callee: string): boolean {
  return MATMUL_CALLEES.has(callee);
}

/** The nearest folder at or above `start` with a project marker; null when there is none. */
export function findProjectRoot(start: string): string | null {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (ROOT_MARKERS.some((marker) => exists(join(dir, marker)))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

export function defaultObservedPath(root: string): string {
  return join(root, OBSERVED_FOLDER, OBSERVED_NAME);
}

/** Paths in an observed file are relative to the folder holding `.einsight/`, or else to the file's own folder. */
export function observedBase(observedPath: string): string {
  const folder = dirname(resolve(observedPath));
  return basename(folder) === OBSERVED_FOLDER ? dirname(folder) : folder;
}

/** A source file's key in an observed file: relative to the base, with `/` separators. */
export function observedKey(base: string, sourcePath: string): string {
  return relative(base, resolve(sourcePath)).split(sep).join('/');
}

/** Loads observed files and keeps them until they change on disk (size or modification time). */
export class ObservationStore {
  private readonly loaded = new Map<string, { stamp: string; result: LoadedObservations | { error: string } }>();
  /** Project roots by folder, with when they were found: a folder may become a project later. */
  private readonly roots = new Map<string, { root: string | null; at: number }>();

  /** The recordings at `path`: null when there is no such file, `{ error }` when it cannot be read. */
  load(path: string): LoadedObservations | { error: string } | null {
    const absolute = resolve(path);
    let stamp: string;
    try {
      const stat = statSync(absolute);
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      this.loaded.delete(absolute);
      return null;
    }
    const known = this.loaded.get(absolute);
    if (known?.stamp === stamp) return known.result;
    const result = readObservations(absolute);
    this.loaded.set(absolute, { stamp, result });
    return result;
  }

  /** The observed file that holds recordings of `sourcePath`: `explicit` when given, else the project's. */
  pathFor(sourcePath: string, explicit?: string): string | null {
    if (explicit !== undefined) return resolve(explicit);
    const dir = dirname(resolve(sourcePath));
    let known = this.roots.get(dir);
    // A miss is looked up every time: `einsight record` creates `.einsight/` in a folder that had
    // no marker, and the re-analysis its file watcher asks for comes at once, not seconds later.
    // A root found is looked up again after a while: a nearer one may have appeared since.
    if (!known || known.root === null || Date.now() - known.at > ROOT_RECHECK_MS) {
      known = { root: findProjectRoot(dir), at: Date.now() };
      this.roots.set(dir, known);
    }
    return known.root === null ? null : defaultObservedPath(known.root);
  }

  /** The recordings of one source file, or null when there are none (or no observed file). */
  forFile(sourcePath: string, explicit?: string): FileObservations | null {
    const path = this.pathFor(sourcePath, explicit);
    const loaded = path === null ? null : this.load(path);
    if (!loaded || 'error' in loaded) return null;
    return observationsOf(loaded, sourcePath);
  }

}

export function observationsOf(loaded: LoadedObservations, sourcePath: string): FileObservations | null {
  const sites = loaded.file.files[observedKey(loaded.base, sourcePath)];
  if (!sites || sites.length === 0) return null;
  return { source: loaded.path, sites, einsumTimeNs: loaded.einsumTimeNs, runs: Math.max(loaded.file.runs.length, 1) };
}

function readObservations(path: string): LoadedObservations | { error: string } {
  const read = readProjectFile(path, OBSERVED_LIMIT_BYTES);
  if ('error' in read) return { error: `cannot read ${path}: ${read.error}` };
  const parsed = parseObserved(read.ok);
  if ('error' in parsed) return { error: `${path}: ${parsed.error}` };
  let einsumTimeNs = 0;
  for (const sites of Object.values(parsed.ok.files)) {
    for (const site of sites) if (!site.nested && !isMatmulCallee(site.callee)) einsumTimeNs += site.timeNs;
  }
  return { path, base: observedBase(path), file: parsed.ok, problems: parsed.problems, einsumTimeNs };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** One store per thread that analyses documents: files are read again only when they change. */
const documentObservations = new ObservationStore();

/** The recordings of an editor document: a `file:` uri in a project with `.einsight/observed.json`. */
export function observationsForUri(uri: string): FileObservations | null {
  if (!uri.startsWith('file:')) return null;
  let path: string;
  try {
    path = fileURLToPath(uri);
  } catch {
    return null;
  }
  return documentObservations.forFile(path);
}
