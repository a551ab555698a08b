/**
 * Running Python from tests: finds an interpreter that can import what a snippet needs
 * (`$EINSIGHT_PYTHON` alone when set; otherwise `python3` on the PATH, then the system's
 * `/usr/bin/python3`, where Debian's python3-numpy / python3-torch install) and runs many
 * snippets in one process.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export interface SnippetPair {
  id: string;
  original: string;
  rewritten: string;
  /** Python modules besides numpy the snippet imports (`torch`). */
  requires: string[];
}

export interface SnippetOutcome {
  id: string;
  status: 'passed' | 'failed' | 'skipped';
  detail: string;
}

const RUNNER = path.resolve(__dirname, '../../support/run_snippets.py');

function candidates(): string[] {
  const chosen = process.env.EINSIGHT_PYTHON;
  return chosen ? [chosen] : ['python3', '/usr/bin/python3'];
}

/**
 * `$EINSIGHT_PYTHONPATH` (e.g. opt_einsum 3.4 from ../shared/tools/get_opt_einsum.sh, as CI
 * sets it) is added to the interpreters' module path.
 */
function pythonEnv(): NodeJS.ProcessEnv {
  const extra = process.env.EINSIGHT_PYTHONPATH;
  if (!extra) return process.env;
  const current = process.env.PYTHONPATH;
  return { ...process.env, PYTHONPATH: current ? `${extra}${path.delimiter}${current}` : extra };
}

const found = new Map<string, string | null>();

/** The first interpreter that imports every module, or null. */
export function findPython(modules: readonly string[]): string | null {
  const key = [...modules].sort().join(',');
  if (!found.has(key)) {
    const imports = `import ${modules.join(', ')}`;
    const python = candidates().find((p) => spawnSync(p, ['-c', imports], { stdio: 'ignore', timeout: 60_000, env: pythonEnv() }).status === 0);
    found.set(key, python ?? null);
  }
  return found.get(key)!;
}

/** Every distinct interpreter (by its real executable) that imports every module. */
export function pythonsWith(modules: readonly string[]): string[] {
  const seen = new Set<string>();
  return candidates().filter((p) => {
    const probe = spawnSync(p, ['-c', `import os, sys, ${modules.join(', ')}; print(os.path.realpath(sys.executable))`], { encoding: 'utf8', timeout: 60_000 });
    const executable = probe.status === 0 ? probe.stdout.trim() : '';
    if (!executable || seen.has(executable)) return false;
    seen.add(executable);
    return true;
  });
}

/** Runs the pairs in one Python process; throws when the runner itself fails. */
export function runSnippets(python: string, pairs: readonly SnippetPair[]): SnippetOutcome[] {
  if (pairs.length === 0) return [];
  const child = spawnSync(python, [RUNNER], {
    env: pythonEnv(),
    input: JSON.stringify(pairs),
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) {
    throw new Error(`${python} ${RUNNER} exited with ${child.status ?? child.signal}:\n${child.stderr}`);
  }
  return child.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SnippetOutcome);
}
