/**
 * Which files `einsight check` and `fix` read: every Python (`.py`), TypeScript/JavaScript
 * (`.ts .tsx .mts .cts .js .jsx .mjs .cjs`, not declaration files) and, for `check`, notebook
 * (`.ipynb`) file under the given folders, minus what `.gitignore` files exclude (the folder's
 * own and those of its ancestors up to the repository root), virtual environments,
 * `node_modules` and caches. A file named on the command line is always read.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { describeFsError, readProjectFile, type SkippedFile } from '../analysis/regular-file';
import { decodePathBytes } from './printable';
import { scriptFlavor, type ScriptFlavor } from '../analysis/typescript/flavor';

/** How a file is read: Python source, a Jupyter notebook, or a TypeScript/JavaScript flavor. */
export type SourceKind = 'python' | 'notebook' | ScriptFlavor;

export interface SourceFile {
  /** As named or found; a name that is not UTF-8 shows its odd bytes as `\xNN` (see `bytes`). */
  path: string;
  /** The path's bytes, when some name on it is not UTF-8: what the file system is asked for. */
  bytes?: Buffer;
  kind: SourceKind;
}

export interface WalkResult {
  files: SourceFile[];
  /** Paths that could not be read, with the reason. */
  errors: { path: string; message: string }[];
  /** Paths named on the command line that do not exist: usage errors. */
  missing: string[];
  /** `.gitignore` files that exist but could not be read: their patterns are not applied. */
  skipped: SkippedFile[];
}

export interface WalkOptions {
  /** Whether folders yield notebooks (`check` reads them; `fix` does not rewrite them). */
  notebooks: boolean;
}

const SKIPPED_DIRECTORIES = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.ipynb_checkpoints',
  'site-packages',
]);

/** A `.gitignore` and the folder its patterns are relative to. */
interface IgnoreFile {
  base: string;
  rules: Ignore;
}

/**
 * The kind of a file found in a folder, or null for files einsight does not read. Declaration
 * files (`.d.ts`) hold no code that runs.
 */
export function sourceKind(name: string, options: WalkOptions): SourceKind | null {
  if (name.endsWith('.py')) return 'python';
  if (name.endsWith('.ipynb')) return options.notebooks ? 'notebook' : null;
  if (/\.d\.[cm]?ts$/.test(name)) return null;
  return scriptFlavor(name);
}

/** A file named on the command line: its own kind, and Python when the name says nothing (scripts). */
function namedKind(path: string): SourceKind {
  if (path.endsWith('.ipynb')) return 'notebook';
  return scriptFlavor(path) ?? 'python';
}

export function collectSourceFiles(paths: readonly string[], options: WalkOptions): WalkResult {
  const result: WalkResult = { files: [], errors: [], missing: [], skipped: [] };
  const seen = new Set<string>();
  const add = (file: SourceFile) => {
    const absolute = resolve(file.path);
    if (!seen.has(absolute)) {
      seen.add(absolute);
      result.files.push(file);
    }
  };
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      // A path that is not there (a typo) is the command line's mistake; a link to nothing is the link's.
      if ((error as NodeJS.ErrnoException)?.code !== 'ENOENT') result.errors.push({ path, message: describeFsError(error) });
      else if (exists(path, 'link')) result.errors.push({ path, message: 'symbolic link to a missing file or folder' });
      // The command line reaches Node decoded as UTF-8: bytes that are not were replaced.
      else if (path.includes('\uFFFD')) result.errors.push({ path, message: 'the name is not UTF-8, so it cannot be opened by name: give its folder instead' });
      else result.missing.push(path);
      continue;
    }
    if (stat.isFile()) add({ path, kind: namedKind(path) });
    else if (stat.isDirectory()) walkDirectory(path, null, ancestorIgnores(resolve(path), result.skipped), add, result, options);
    else result.errors.push({ path, message: 'not a regular file or folder' });
  }
  return result;
}

/** `dirBytes`: the folder's path as bytes, when a name on it is not UTF-8 (`dir` then shows them as `\xNN`). */
function walkDirectory(
  dir: string,
  dirBytes: Buffer | null,
  inherited: IgnoreFile[],
  add: (file: SourceFile) => void,
  result: WalkResult,
  options: WalkOptions,
): void {
  let entries: Buffer[];
  try {
    // As bytes: a name that is not UTF-8 would come back with its bytes replaced, and no file of that name.
    entries = readdirSync(dirBytes ?? dir, { encoding: 'buffer' }).sort(Buffer.compare);
  } catch (error) {
    result.errors.push({ path: dir, message: describeFsError(error) });
    return;
  }
  const own = dirBytes ? null : readIgnoreFile(resolve(dir), result.skipped);
  const ignores = own ? [...inherited, own] : inherited;
  for (const entry of entries) {
    const utf8 = entry.toString('utf8');
    const exact = dirBytes === null && Buffer.from(utf8, 'utf8').equals(entry);
    const name = exact ? utf8 : decodePathBytes(entry);
    const path = join(dir, name);
    const bytes = exact ? null : Buffer.concat([dirBytes ?? Buffer.from(dir, 'utf8'), Buffer.from(sep), entry]);
    let stat;
    try {
      // Symbolic links are not followed: they may leave the tree or loop.
      stat = lstatSync(bytes ?? path);
    } catch (error) {
      result.errors.push({ path, message: describeFsError(error) });
      continue;
    }
    if (stat.isDirectory()) {
      if (SKIPPED_DIRECTORIES.has(name) || (!bytes && isEnvironment(path)) || isIgnored(ignores, resolve(path), true)) continue;
      walkDirectory(path, bytes, ignores, add, result, options);
    } else if (stat.isFile()) {
      const kind = sourceKind(name, options);
      if (kind && !isIgnored(ignores, resolve(path), false)) add(bytes ? { path, kind, bytes } : { path, kind });
    }
  }
}

/** A virtualenv (`pyvenv.cfg`) or conda environment (`conda-meta`), whatever its name. */
function isEnvironment(dir: string): boolean {
  return exists(join(dir, 'pyvenv.cfg'), 'file') || exists(join(dir, 'conda-meta'), 'folder');
}

function exists(path: string, kind: 'file' | 'folder' | 'link'): boolean {
  try {
    if (kind === 'link') return lstatSync(path).isSymbolicLink();
    const stat = statSync(path);
    return kind === 'file' ? stat.isFile() : stat.isDirectory();
  } catch {
    return false;
  }
}

function readIgnoreFile(dir: string, skipped: SkippedFile[]): IgnoreFile | null {
  const path = join(dir, '.gitignore');
  const read = readProjectFile(path);
  if ('ok' in read) return { base: dir, rules: ignore().add(read.ok) };
  if (!read.missing) skipped.push({ path, reason: read.error });
  return null;
}

/** `.gitignore` files of the folders above `dir`, up to the repository root (the folder holding `.git`). */
function ancestorIgnores(dir: string, skipped: SkippedFile[]): IgnoreFile[] {
  const found: IgnoreFile[] = [];
  const unread: SkippedFile[] = [];
  if (exists(join(dir, '.git'), 'folder') || exists(join(dir, '.git'), 'file')) return found;
  for (let current = dirname(dir); ; current = dirname(current)) {
    const file = readIgnoreFile(current, unread);
    if (file) found.unshift(file);
    if (exists(join(current, '.git'), 'folder') || exists(join(current, '.git'), 'file')) {
      skipped.push(...unread);
      return found;
    }
    // Outside a repository git reads no .gitignore above the folder.
    if (dirname(current) === current) return [];
  }
}

/** The deepest `.gitignore` with an opinion decides, as git does (a later `!pattern` re-includes). */
function isIgnored(ignores: IgnoreFile[], path: string, directory: boolean): boolean {
  for (let i = ignores.length - 1; i >= 0; i--) {
    const { base, rules } = ignores[i];
    const rel = relative(base, path);
    if (rel === '' || rel.startsWith('..')) continue;
    const verdict = rules.test(rel.split(sep).join('/') + (directory ? '/' : ''));
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

/** An unexpected error, with the stack that locates the defect. */
export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
