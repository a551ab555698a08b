/**
 * `npm run bench:activation`: the packaged extension's activation time and time to first
 * diagnostics in code-server (VS Code 1.100.3, Node extension host), each in a fresh extension
 * host, over several windows; the .vsix size; and, apart, how long the bundled language server
 * takes from process start to its initialize result (the part of activation spent waiting on it).
 *
 *   node test/e2e/out/bench/activation.js [--runs N] [--skip-package]
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { launchBrowser } from '../runner/browser';
import { assertInstalled, installExtension, startCodeServer } from '../runner/code-server';
import { packageVsix } from '../runner/package-vsix';
import { E2E_DIR, FIXTURE_WORKSPACE, hostTarget, vsixPath } from '../runner/paths';
import { runTestsInWorkbench } from '../runner/workbench-tests';

const ACTIVATION_TARGET_MS = 200;
const VSIX_TARGET_MB = 40;
const PROBE = path.join(E2E_DIR, 'out', 'bench', 'activation-probe.js');

interface Sample {
  activationMs: number;
  firstDiagnosticsMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function summary(name: string, values: number[], target?: number): string {
  const line = `${name.padEnd(34)} median ${median(values).toFixed(0).padStart(5)} ms   min ${Math.min(...values).toFixed(0).padStart(5)} ms   max ${Math.max(...values).toFixed(0).padStart(5)} ms`;
  return target === undefined ? line : `${line}   ${(median(values) / target).toFixed(2)}x the ${target} ms target`;
}

/** Process start to initialize result of `node dist/server.js --stdio`, as the client starts it. */
async function serverStartMs(serverScript: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [serverScript, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.onRequest(() => null);
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
  const elapsed = performance.now() - started;
  connection.dispose();
  child.kill();
  return elapsed;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 7;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs expects a positive integer');
  assertInstalled();
  const vsix = argv.includes('--skip-package') ? vsixPath() : packageVsix(hostTarget());
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run 'npm run package'`);

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'einsight-bench-'));
  installExtension(scratch, vsix);
  const installed = readdirSync(path.join(scratch, 'extensions')).find((name) => name.startsWith('einsight.einsight-'));
  if (!installed) throw new Error('the installed extension folder is missing');
  const server = await startCodeServer(scratch);
  const browser = await launchBrowser();
  const samples: Sample[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const workspace = path.join(scratch, `workspace-${run}`);
      cpSync(FIXTURE_WORKSPACE, workspace, { recursive: true });
      const code = await runTestsInWorkbench(browser, server, workspace, {
        testsIndex: PROBE,
        logDir: path.join(scratch, `logs-${run}`),
        onLog: (_level, text) => {
          const match = /^einsight-bench (.*)$/m.exec(text);
          if (match) samples.push(JSON.parse(match[1]) as Sample);
        },
      });
      if (code !== 0 || samples.length !== run + 1) throw new Error(`probe run ${run + 1} failed (exit ${code}); logs in ${scratch}`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  const serverScript = path.join(scratch, 'extensions', installed, 'dist', 'server.js');
  const serverStarts: number[] = [];
  for (let run = 0; run < runs; run++) serverStarts.push(await serverStartMs(serverScript));
  rmSync(scratch, { recursive: true, force: true });

  const megabytes = statSync(vsix).size / 1e6;
  console.log(`\n${path.basename(vsix)}: ${megabytes.toFixed(1)} MB (${(megabytes / VSIX_TARGET_MB).toFixed(2)}x the ${VSIX_TARGET_MB} MB budget)`);
  console.log(`code-server 4.100.3, ${runs} fresh extension hosts, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})`);
  console.log(summary('activation (activate() settled)', samples.map((s) => s.activationMs), ACTIVATION_TARGET_MS));
  console.log(summary('open .py file → first diagnostics', samples.map((s) => s.firstDiagnosticsMs)));
  console.log(summary('server start → initialize result', serverStarts));
}

main().catch((error) => {
  console.error(`bench:activation: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
