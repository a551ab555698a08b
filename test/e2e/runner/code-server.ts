/**
 * code-server 4.100.3 (VS Code 1.100.3 serving its workbench to a browser, with a Node extension
 * host) as installed by test/e2e/setup.sh, run isolated in a scratch folder: its own extensions,
 * user data, XDG folders and TMPDIR, a free loopback port, no auth, no telemetry. It runs in its
 * own process group, which stop() ends as a whole (its file watchers are children).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './paths';

const BIN = path.join(REPO_ROOT, '.e2e', 'code-server', 'node_modules', '.bin', 'code-server');
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 3_000;

/** User settings for a quiet, deterministic workbench. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'editor.minimap.enabled': false,
};

export interface CodeServer {
  port: number;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  extensionsDir: string;
  /** The workbench URL opening `folder`, with `payload` entries (code-server's `payload` query). */
  url(folder: string, payload?: [string, string][]): string;
  /** A local path as the workbench addresses it (`vscode-remote://…`). */
  remoteUri(localPath: string): string;
  stop(): Promise<void>;
}

export function assertInstalled(): void {
  if (!existsSync(BIN)) throw new Error(`code-server is not installed in ${path.dirname(path.dirname(BIN))}: run 'bash test/e2e/setup.sh' first`);
}

function environment(scratch: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, folder] of [
    ['XDG_CONFIG_HOME', 'config'],
    ['XDG_DATA_HOME', 'data'],
    ['XDG_CACHE_HOME', 'cache'],
    ['TMPDIR', 'tmp'],
  ]) {
    env[name] = path.join(scratch, folder);
    mkdirSync(env[name]!, { recursive: true });
  }
  return env;
}

function profileArgs(scratch: string): string[] {
  return ['--extensions-dir', path.join(scratch, 'extensions'), '--user-data-dir', path.join(scratch, 'user-data')];
}

/** `code-server --install-extension FILE.vsix`: VS Code's own installer unpacks the package. */
export function installExtension(scratch: string, vsix: string): void {
  const run = spawnSync(BIN, [...profileArgs(scratch), '--install-extension', vsix], { env: environment(scratch), encoding: 'utf8' });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim();
  if (run.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${run.status}):\n${output}`);
  }
  console.log(`e2e: ${output.split('\n').at(-1)}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilHealthy(origin: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode}:\n${log()}`);
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server did not answer on ${origin} within ${START_TIMEOUT_MS / 1000} s:\n${log()}`);
}

export async function startCodeServer(scratch: string): Promise<CodeServer> {
  const userDir = path.join(scratch, 'user-data', 'User');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const args = [
    ...profileArgs(scratch),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  // detached: a process group of its own (setsid), so that stop() reaches the watchers too.
  const child = spawn(BIN, args, { env: environment(scratch), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    // Whatever of the group outlived code-server itself.
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // none did
    }
  };
  try {
    await waitUntilHealthy(origin, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  const remoteUri = (localPath: string) => `vscode-remote://127.0.0.1:${port}${localPath}`;
  return {
    port,
    origin,
    extensionsDir: path.join(scratch, 'extensions'),
    remoteUri,
    url: (folder, payload) => {
      const query = new URLSearchParams({ folder });
      if (payload) query.set('payload', JSON.stringify(payload));
      return `${origin}/?${query.toString()}`;
    },
    stop,
  };
}
