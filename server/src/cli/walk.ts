/**
 * Which Python files `einsight check` reads: every `.py` file under the given folders, minus
 * what `.gitignore` files exclude (the folder's own and those of its ancestors up to the
 * repository root), virtual environments, `node_modules` and caches. A file named on the
 * command line is always read.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

export interface WalkResult {
  files: string[];
  /** Paths that could not be read, with the reason. */
  errors: { path: string; message: string }[];
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

export function collectPythonFiles(paths: readonly string[]): WalkResult {
  const result: WalkResult = { files: [], errors: [] };
  const seen = new Set<string>();
  const add = (file: string) => {
    const absolute = resolve(file);
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
      result.errors.push({ path, message: describeFsError(error) });
      continue;
    }
    if (stat.isFile()) add(path);
    else if (stat.isDirectory()) walkDirectory(path, ancestorIgnores(resolve(path)), add, result);
    else result.errors.push({ path, message: 'not a file or folder' });
  }
  return result;
}

function walkDirectory(dir: string, inherited: IgnoreFile[], add: (file: string) => void, result: WalkResult): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (error) {
    result.errors.push({ path: dir, message: describeFsError(error) });
    return;
  }
  const own = readIgnoreFile(resolve(dir));
  const ignores = own ? [...inherited, own] : inherited;
  for (const name of entries) {
    const path = join(dir, name);
    let stat;
    try {
      // Symbolic links are not followed: they may leave the tree or loop.
      stat = lstatSync(path);
    } catch (error) {
      result.errors.push({ path, message: describeFsError(error) });
      continue;
    }
    if (stat.isDirectory()) {
      if (SKIPPED_DIRECTORIES.has(name) || isEnvironment(path) || isIgnored(ignores, resolve(path), true)) continue;
      walkDirectory(path, ignores, add, result);
    } else if (stat.isFile() && name.endsWith('.py') && !isIgnored(ignores, resolve(path), false)) {
      add(path);
    }
  }
}

/** A virtualenv (`pyvenv.cfg`) or conda environment (`conda-meta`), whatever its name. */
function isEnvironment(dir: string): boolean {
  return exists(join(dir, 'pyvenv.cfg'), 'file') || exists(join(dir, 'conda-meta'), 'folder');
}

function exists(path: string, kind: 'file' | 'folder'): boolean {
  try {
    const stat = statSync(path);
    return kind === 'file' ? stat.isFile() : stat.isDirectory();
  } catch {
    return false;
  }
}

function readIgnoreFile(dir: string): IgnoreFile | null {
  let text: string;
  try {
    text = readFileSync(join(dir, '.gitignore'), 'utf8');
  } catch {
    return null;
  }
  return { base: dir, rules: ignore().add(text) };
}

/** `.gitignore` files of the folders above `dir`, up to the repository root (the folder holding `.git`). */
function ancestorIgnores(dir: string): IgnoreFile[] {
  const found: IgnoreFile[] = [];
  if (exists(join(dir, '.git'), 'folder') || exists(join(dir, '.git'), 'file')) return found;
  for (let current = dirname(dir); ; current = dirname(current)) {
    const file = readIgnoreFile(current);
    if (file) found.unshift(file);
    if (exists(join(current, '.git'), 'folder') || exists(join(current, '.git'), 'file')) return found;
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

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
