/**
 * The `[tool.einsight]` table of the nearest pyproject.toml above a file, read by the CLI and
 * the language server alike:
 *
 *     [tool.einsight.einsum-functions]
 *     "pyscf.lib.einsum" = "numpy.einsum(optimize=True)"
 *
 * declares functions that run an einsum (a project's own wrapper in another module) and the
 * einsum each behaves as. A value that cannot be read is reported, in words naming the file,
 * and left out; the rest applies.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readProjectFile, type SkippedFile } from '../analysis/regular-file';
import { bareRecord } from '../core/name-table';
import { parseDeclaredTarget } from '../analysis/python/wrappers';
import { isTable, parseToml, tableAt } from './toml';

export interface ProjectConfig {
  /** The pyproject.toml read; null when none was found. */
  path: string | null;
  einsumFunctions: Record<string, string>;
}

const NONE: ProjectConfig = Object.freeze({ path: null, einsumFunctions: bareRecord<string>() });

export class ProjectConfigReader {
  private readonly byFolder = new Map<string, ProjectConfig>();
  /** One sentence per value that could not be read. */
  readonly problems: string[] = [];
  /** pyproject.toml files that exist but could not be read. */
  readonly skipped: SkippedFile[] = [];

  for(file: string): ProjectConfig {
    return this.configIn(dirname(resolve(file)));
  }

  private configIn(dir: string): ProjectConfig {
    const known = this.byFolder.get(dir);
    if (known) return known;
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // An unreadable folder says nothing; keep looking above it.
    }
    let config: ProjectConfig;
    if (names.includes('pyproject.toml')) config = this.read(join(dir, 'pyproject.toml'));
    else config = dirname(dir) !== dir && !names.includes('.git') ? this.configIn(dirname(dir)) : NONE;
    this.byFolder.set(dir, config);
    return config;
  }

  private read(path: string): ProjectConfig {
    const read = readProjectFile(path);
    if ('error' in read) {
      if (!read.missing) this.skipped.push({ path, reason: read.error });
      return { ...NONE, path };
    }
    const parsed = parseToml(read.ok);
    if ('error' in parsed) {
      this.problems.push(`${path}: not valid TOML (${parsed.error}); [tool.einsight] ignored`);
      return { ...NONE, path };
    }
    const table = tableAt(parsed.ok, 'tool', 'einsight', 'einsum-functions');
    if (table === undefined) return { ...NONE, path };
    return { path, einsumFunctions: readEinsumFunctions(table, (problem) => this.problems.push(`${path}: [tool.einsight] ${problem}`)) };
  }
}

/**
 * `{ "pyscf.lib.einsum": "numpy.einsum(optimize=True)" }`, checked entry by entry (the CLI, the
 * server's setting and pyproject.toml share it); a bad entry is reported through `problem`.
 */
export function readEinsumFunctions(value: unknown, problem: (text: string) => void): Record<string, string> {
  const functions = bareRecord<string>();
  if (!isTable(value)) {
    problem('einsum-functions must be a table of function name → einsum, e.g. "pyscf.lib.einsum" = "numpy.einsum(optimize=True)"');
    return functions;
  }
  for (const [name, target] of Object.entries(value)) {
    if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(name)) problem(`einsum-functions: '${name}' is not a dotted Python name; ignoring it`);
    else if (typeof target !== 'string') problem(`einsum-functions.${name} must be a string such as "numpy.einsum(optimize=True)"; ignoring it`);
    else {
      const parsed = parseDeclaredTarget(target);
      if (typeof parsed === 'string') problem(`einsum-functions.${name}: ${parsed}; ignoring it`);
      else functions[name] = target;
    }
  }
  return functions;
}
