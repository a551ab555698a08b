/**
 * The environment as the project declares it, for when no interpreter answers: the nearest
 * dependency files above a source file (requirements*.txt, pyproject.toml, setup.py,
 * setup.cfg, environment.yml, Pipfile), and a virtual environment inside the project. opt_einsum
 * counts as installed when it is listed, when a listed package itself requires it (jax,
 * tensorflow, e3nn through opt_einsum_fx, ...), or when a project-local environment has it.
 * Versions are read from exact pins (`torch==1.12.1`). Files are read with `readProjectFile`'s
 * checks; one that cannot be read is remembered in `skipped`.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { PythonEnvironment } from '../analysis/model';
import { readProjectFile, type SkippedFile } from '../analysis/regular-file';
import { isTable, parseToml, tableAt } from './toml';

const DEPENDENCY_FILE = /^(requirements.*\.txt|pyproject\.toml|setup\.py|setup\.cfg|environment\.ya?ml|Pipfile)$/;

/** Packages that require opt_einsum themselves (from their published metadata), so installing them installs it. */
const REQUIRES_OPT_EINSUM = ['opt_einsum', 'opt_einsum_fx', 'e3nn', 'mace_torch', 'nequip', 'jax', 'flax', 'tensorflow', 'tensornetwork'];

/** Project-local environments whose site-packages are visible. */
const LOCAL_ENVIRONMENTS = ['.venv', 'venv', 'env', '.env'];

/** A requirement name as pip normalizes it: `opt-einsum`, `opt.einsum` and `Opt_Einsum` are one. */
function normalized(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '_');
}

/** `name[extra]==1.2 ; marker` → the normalized name, and the version when pinned exactly. */
function parseSpecifier(spec: string): [string, string | null] | null {
  const match = /^\s*([A-Za-z0-9][\w.-]*)\s*(?:\[[^\]]*\])?\s*(?:===?\s*([\w.+!-]+))?/.exec(spec);
  return match ? [normalized(match[1]), match[2] ?? null] : null;
}

/** Poetry and Pipfile tables: `torch = "1.12.1"` (exact), `numpy = ">=1.20"`, `jax = { version = "..." }`. */
function fromTable(table: unknown): string[] {
  if (!isTable(table)) return [];
  return Object.entries(table).map(([name, value]) => {
    const version = typeof value === 'string' ? value : isTable(value) && typeof value.version === 'string' ? value.version : '';
    return /^\d/.test(version) ? `${name}==${version}` : name;
  });
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (isTable(value)) return Object.values(value).flatMap(stringsIn);
  return [];
}

/** The requirement specifiers a dependency file declares, by its kind. */
function specifiersOf(name: string, text: string): string[] | string {
  if (name.endsWith('.txt')) {
    return text
      .split(/\r?\n/)
      .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('-'));
  }
  if (name === 'pyproject.toml' || name === 'Pipfile') {
    const parsed = parseToml(text);
    if ('error' in parsed) return `not valid TOML: ${parsed.error}`;
    const doc = parsed.ok;
    if (name === 'Pipfile') return [...fromTable(doc.packages), ...fromTable(doc['dev-packages'])];
    const groups = tableAt(doc, 'tool', 'poetry', 'group');
    return [
      ...stringsIn(tableAt(doc, 'project', 'dependencies')),
      ...stringsIn(tableAt(doc, 'project', 'optional-dependencies')),
      ...fromTable(tableAt(doc, 'tool', 'poetry', 'dependencies')),
      ...(isTable(groups) ? Object.values(groups).flatMap((g) => fromTable(isTable(g) ? g.dependencies : undefined)) : []),
      ...fromTable(tableAt(doc, 'tool', 'pixi', 'dependencies')),
      ...fromTable(tableAt(doc, 'tool', 'pixi', 'pypi-dependencies')),
    ];
  }
  if (name === 'setup.py') {
    // The string literals of install_requires=[...] and extras_require={...}.
    const lists = [...text.matchAll(/(install_requires|extras_require|tests_require)\s*=\s*([[{][^\]}]*[\]}])/g)].map((m) => m[2]);
    return lists.flatMap((list) => [...list.matchAll(/(["'])([^"'\n]+)\1/g)].map((m) => m[2]));
  }
  if (name === 'setup.cfg') {
    const block = /^install_requires\s*=\s*(.*(?:\r?\n[ \t]+.*)*)/m.exec(text);
    return block ? block[1].split(/\r?\n|;/).map((l) => l.trim()).filter(Boolean) : [];
  }
  // environment.yml: list items, conda's `name=1.2` pins and pip's alike.
  return [...text.matchAll(/^\s*-\s*([A-Za-z0-9][^\s#:]*)\s*$/gm)].map((m) => m[1].replace(/^([\w.-]+)=(?!=)/, '$1=='));
}

export class DeclaredEnvironment {
  private readonly byFolder = new Map<string, PythonEnvironment | null>();
  /** Dependency files that exist but could not be read (a FIFO, a device, a link loop, too large). */
  readonly skipped: SkippedFile[] = [];

  /** What the nearest folder above `file` with dependency files declares; nothing found declares nothing. */
  for(file: string): PythonEnvironment {
    return this.declaredIn(dirname(resolve(file))) ?? { source: 'declared', detail: 'no dependency file found', optEinsum: false, versions: { numpy: null, torch: null, opt_einsum: null } };
  }

  private declaredIn(dir: string): PythonEnvironment | null {
    const known = this.byFolder.get(dir);
    if (known !== undefined) return known;
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((name) => DEPENDENCY_FILE.test(name)).sort();
    } catch {
      // An unreadable folder says nothing; keep looking above it.
    }
    let declared: PythonEnvironment | null;
    if (names.length > 0) declared = this.read(dir, names);
    else declared = dirname(dir) !== dir && !isRepositoryRoot(dir) ? this.declaredIn(dirname(dir)) : null;
    this.byFolder.set(dir, declared);
    return declared;
  }

  private read(dir: string, names: string[]): PythonEnvironment {
    const listed = new Map<string, string | null>();
    for (const name of names) {
      const path = join(dir, name);
      const read = readProjectFile(path);
      const specifiers = 'error' in read ? read.error : specifiersOf(name, read.ok);
      if (typeof specifiers === 'string') {
        this.skipped.push({ path, reason: specifiers });
        continue;
      }
      for (const spec of specifiers) {
        const parsed = parseSpecifier(spec);
        if (parsed && !listed.get(parsed[0])) listed.set(parsed[0], parsed[1]);
      }
    }
    const through = REQUIRES_OPT_EINSUM.find((name) => listed.has(name));
    const local = through ? null : localOptEinsum(dir);
    const versions = { numpy: listed.get('numpy') ?? null, torch: listed.get('torch') ?? null, opt_einsum: listed.get('opt_einsum') ?? null };
    const files = names.join(', ');
    let detail = files;
    if (through && through !== 'opt_einsum') detail = `${files} (${through} requires opt_einsum)`;
    else if (local) detail = `${files}; opt_einsum in ${relative(dir, local) || basename(local)}`;
    return { source: 'declared', detail, optEinsum: through !== undefined || local !== null, versions };
  }
}

/** opt_einsum installed in a virtual environment inside the project folder: its site-packages path. */
function localOptEinsum(dir: string): string | null {
  for (const environment of LOCAL_ENVIRONMENTS) {
    for (const lib of ['lib', 'Lib']) {
      let pythons: string[];
      try {
        pythons = lib === 'Lib' ? [''] : readdirSync(join(dir, environment, lib)).filter((n) => n.startsWith('python'));
      } catch {
        continue;
      }
      for (const python of pythons) {
        const site = join(dir, environment, lib, python, 'site-packages');
        try {
          if (readdirSync(site).some((n) => n === 'opt_einsum' || /^opt_einsum-.*\.dist-info$/.test(n))) return site;
        } catch {
          // No such site-packages: not this one.
        }
      }
    }
  }
  return null;
}

function isRepositoryRoot(dir: string): boolean {
  try {
    return readdirSync(dir).includes('.git');
  } catch {
    return false;
  }
}
