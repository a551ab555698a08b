/**
 * Asking the workspace's Python what it has: whether opt_einsum is importable (torch then
 * searches paths at run time) and the versions of numpy, torch and opt_einsum. The probe reads
 * package metadata and import specs only (it imports none of them: importing torch takes
 * seconds), runs in a child process with a deadline, and its answer is kept per interpreter, so
 * analysis never waits on it: until it answers, the declared dependencies stand in.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { PythonEnvironment } from '../analysis/model';

/** Prints one JSON line: the interpreter, and each package's version (null when absent). */
const PROBE = [
  'import json, sys, importlib.util',
  'from importlib import metadata',
  'def version(module, dist):',
  '    if importlib.util.find_spec(module) is None:',
  '        return None',
  '    try:',
  '        return metadata.version(dist)',
  '    except Exception:',
  "        return 'unknown'",
  "print(json.dumps({'executable': sys.executable, 'python': sys.version.split()[0],",
  "  'numpy': version('numpy', 'numpy'), 'torch': version('torch', 'torch'), 'opt_einsum': version('opt_einsum', 'opt_einsum')}))",
].join('\n');

export const PROBE_TIMEOUT_MS = 10_000;

interface ProbeAnswer {
  executable: string;
  python: string;
  numpy: string | null;
  torch: string | null;
  opt_einsum: string | null;
}

/** Runs the probe; resolves to the environment, or to a sentence saying why there is none. */
export function probePython(python: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<PythonEnvironment | string> {
  return new Promise((resolve) => {
    // Not isolated (-I would hide user site-packages and PYTHONPATH, which are the user's
    // environment), but run from the temporary folder so no module of the workspace shadows one.
    execFile(python, ['-c', PROBE], { timeout: timeoutMs, maxBuffer: 64 * 1024, windowsHide: true, cwd: tmpdir() }, (error, stdout) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        resolve(code === 'ENOENT' ? `no Python interpreter at '${python}'` : `'${python}' did not answer: ${error.message.split('\n')[0]}`);
        return;
      }
      try {
        const answer = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ProbeAnswer;
        resolve({
          source: 'interpreter',
          detail: `${answer.executable} (Python ${answer.python})`,
          optEinsum: answer.opt_einsum !== null,
          versions: { numpy: answer.numpy, torch: answer.torch, opt_einsum: answer.opt_einsum },
        });
      } catch {
        resolve(`'${python}' answered something other than the probe's JSON`);
      }
    });
  });
}

/**
 * One probe per interpreter for the life of the process. `current` never waits: it answers
 * what is known now (null while the probe runs or when it failed) and starts the probe once;
 * `ready` waits for it, up to a deadline.
 */
export class EnvironmentCache {
  private readonly answers = new Map<string, PythonEnvironment | string>();
  private readonly pending = new Map<string, Promise<PythonEnvironment | string>>();

  constructor(private readonly probe: (python: string) => Promise<PythonEnvironment | string> = probePython) {}

  current(python: string, onAnswer?: () => void): PythonEnvironment | null {
    const known = this.answers.get(python);
    if (known !== undefined) return typeof known === 'string' ? null : known;
    this.start(python).then(() => onAnswer?.());
    return null;
  }

  /** The answer, or null when the interpreter failed or did not answer within `deadlineMs`. */
  async ready(python: string, deadlineMs: number): Promise<PythonEnvironment | null> {
    const answer = await Promise.race([this.start(python), new Promise<null>((resolve) => setTimeout(() => resolve(null), deadlineMs).unref())]);
    return answer === null || typeof answer === 'string' ? null : answer;
  }

  /** Why the interpreter gave no environment, once it has failed; null otherwise. */
  failure(python: string): string | null {
    const known = this.answers.get(python);
    return typeof known === 'string' ? known : null;
  }

  private start(python: string): Promise<PythonEnvironment | string> {
    let running = this.pending.get(python);
    if (!running) {
      running = this.probe(python).then((answer) => {
        this.answers.set(python, answer);
        return answer;
      });
      this.pending.set(python, running);
    }
    return running;
  }
}
