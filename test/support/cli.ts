/** Runs the CLI in-process with captured output, or as a real child process. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { main } from 'einsight-server/cli/main';
import { REPO_ROOT } from './oracle';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], stdin = ''): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t.endsWith('\n') ? t : `${t}\n`),
    stderr: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`),
    readStdin: () => stdin,
  });
  return { code, stdout, stderr };
}

/** The installed `einsight` bin, exactly as a user runs it. */
export function runBin(argv: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'server', 'bin', 'einsight.js'), ...argv], {
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input,
    encoding: 'utf8',
    env: options.env ? { ...process.env, ...options.env } : undefined,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
