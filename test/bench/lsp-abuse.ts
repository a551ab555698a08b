/**
 * `npm run bench:lsp-abuse`: the language server and `measure` under abuse, with numbers.
 * The real server runs in a child process driven over stdio: a storm of 1,000 incremental
 * edits, a burst of malformed requests, a 50,000-line Python file and a 50,000-line TypeScript
 * file, then 100 open documents of 1,000 lines. Its peak resident memory (VmHWM) is read after
 * each phase; the large phases run again in a server whose heap is capped at 512 MB, which
 * must survive them. Last, how fast a measurement that would run for an hour stops when
 * cancelled (AbortSignal in process, SIGTERM to the CLI), and whether its runner is gone.
 * Exits 1 when a check fails (diagnostics that differ, a lost request, a crashed server).
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { CodeAction, Range } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { measure } from 'einsight-server/measure/measure';
import { problemFromContraction } from 'einsight-server/measure/problem';
import { LspTestClient } from '../support/lsp-client';
import { loadFixture } from '../support/markers';
import { REPO_ROOT } from '../support/oracle';
import { childPid, comparable, editStorm, pythonModel, residentMemory, typescriptModel } from './lsp-abuse-inputs';

const EVERYWHERE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const LARGE_FUNCTIONS = 2500; // × 20 lines: 50,000 lines
const DOCUMENTS = 100;
const DOCUMENT_FUNCTIONS = 50; // × 20 lines: 1,000 lines each
const CAPPED_HEAP_MB = 512;
const CANCEL_SAMPLES = 3;

const failures: string[] = [];

function check(ok: boolean, what: string): void {
  if (!ok) failures.push(what);
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

class Server {
  private constructor(
    readonly client: LspTestClient,
    private readonly pid: number | null,
  ) {}

  static async start(heapMB?: number): Promise<Server> {
    const inherited = process.env.NODE_OPTIONS;
    if (heapMB) process.env.NODE_OPTIONS = `${inherited ?? ''} --max-old-space-size=${heapMB}`.trim();
    try {
      const client = await LspTestClient.start();
      return new Server(client, childPid('server.js'));
    } finally {
      if (inherited === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = inherited;
    }
  }

  memory(): string {
    const memory = residentMemory(this.pid);
    return memory ? `peak RSS ${memory.peakMB.toFixed(0)} MB, now ${memory.currentMB.toFixed(0)} MB` : 'RSS not available here';
  }

  peakMB(): number {
    return residentMemory(this.pid)?.peakMB ?? NaN;
  }

  async stop(): Promise<void> {
    const code = await this.client.stop();
    check(code === 0, `the server exited with ${code}\n${this.client.serverStderr.slice(-2000)}`);
  }
}

function report(phase: string, numbers: string, server: Server): void {
  console.log(`${phase.padEnd(32)} ${numbers}\n${''.padEnd(32)} ${server.memory()}`);
}

async function storm(server: Server): Promise<void> {
  const { client } = server;
  const uri = 'file:///bench/storm.py';
  const base = loadFixture('diagnostics.py').text;
  await client.open(uri, base);
  await client.waitForDiagnostics(uri, 1);
  const editor = TextDocument.create(uri, 'python', 1, base);
  const { steps } = editStorm(editor, 1000, 4);
  const started = performance.now();
  for (const step of steps) await client.change(uri, step.version, step.changes);
  const sent = performance.now();
  const final = await client.waitForDiagnostics(uri, steps.at(-1)!.version, 60_000);
  const settled = performance.now();
  await client.open('file:///bench/storm-fresh.py', editor.getText());
  const fresh = await client.waitForDiagnostics('file:///bench/storm-fresh.py', 1);
  const same = JSON.stringify(comparable(final.diagnostics)) === JSON.stringify(comparable(fresh.diagnostics));
  check(same, 'after 1,000 edits the diagnostics differ from a fresh analysis of the final text');
  report('1,000 incremental edits', `sent in ${ms(sent - started)}, final diagnostics ${ms(settled - sent)} later; match a fresh analysis: ${same ? 'yes' : 'NO'}`, server);
}

async function malformed(server: Server): Promise<void> {
  const { client } = server;
  const uri = 'file:///bench/target.py';
  await client.open(uri, "import numpy as np\na = np.ones((8, 64))\nb = np.ones((64, 128))\nc = np.ones((128, 4))\nd = np.einsum('ij,jk,kl->il', a, b, c)\n");
  await client.waitForDiagnostics(uri, 1);
  const positions: unknown[] = [{ line: -1, character: 0 }, { line: 0.5, character: 0 }, { line: 1e300, character: 0 }, { line: '4' }, null, 'x', { line: 2 ** 31 - 1, character: 0 }];
  const methods = ['textDocument/hover', 'textDocument/codeAction', 'textDocument/inlayHint', 'textDocument/codeLens', 'workspace/executeCommand'];
  const started = performance.now();
  const requests: Promise<unknown>[] = [];
  for (let round = 0; round < 40; round++) {
    for (const position of positions) {
      for (const method of methods) {
        const params = { textDocument: { uri: round % 2 ? uri : 'file:///bench/unknown.py' }, position, range: { start: position, end: position }, context: { diagnostics: [7] }, command: 'einsight.server.fixAll', arguments: [position] };
        requests.push(client.connection.sendRequest(method, params).catch(() => 'error'));
      }
      requests.push(client.hover(uri, { line: 4, character: 8 }));
    }
  }
  const answers = await Promise.all(requests);
  const realAnswers = answers.filter((_, i) => i % (methods.length + 1) === methods.length);
  check(realAnswers.every((a) => JSON.stringify(a).includes('numpy.einsum')), 'a real hover among malformed requests went unanswered');
  report(`${answers.length.toLocaleString('en-US')} requests, most malformed`, `all answered in ${ms(performance.now() - started)}; real hovers among them correct: ${realAnswers.length}/${realAnswers.length}`, server);
}

async function large(server: Server, language: 'python' | 'typescript'): Promise<void> {
  const { client } = server;
  const text = language === 'python' ? pythonModel(LARGE_FUNCTIONS) : typescriptModel(LARGE_FUNCTIONS);
  const uri = `file:///bench/large.${language === 'python' ? 'py' : 'ts'}`;
  const lines = text.split('\n').length;
  const small = 'file:///bench/small.py';
  await client.open(small, "import numpy as np\nd = np.einsum('ij,jk->ik', np.ones((2, 3)), np.ones((3, 4)))\n");
  await client.waitForDiagnostics(small, 1);
  let started = performance.now();
  await client.open(uri, text, language);
  // Analysis runs on the server's one thread: a request about another document, sent while
  // the large file is being analysed, waits for it.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const asked = performance.now();
  const other = client.hover(small, { line: 1, character: 8 }).then(() => performance.now() - asked);
  const opened = await client.waitForDiagnostics(uri, 1, 300_000);
  const openMs = performance.now() - started;
  const otherMs = await other;
  check(opened.diagnostics.length === 2 * LARGE_FUNCTIONS, `${language}: ${opened.diagnostics.length} diagnostics on the large file`);
  started = performance.now();
  const hover = await client.hover(uri, { line: 12, character: 12 });
  const hoverMs = performance.now() - started;
  check(hover !== null, `${language}: no hover on the large file`);
  started = performance.now();
  await client.change(uri, 2, [{ range: { start: { line: 22, character: 4 }, end: { line: 22, character: 4 } }, text: 'x' }]);
  await client.waitForDiagnostics(uri, 2, 300_000);
  const editMs = performance.now() - started;
  started = performance.now();
  const fixAll = (await client.codeActions(uri, EVERYWHERE, { only: ['source.fixAll'] })) as CodeAction[];
  const fixAllMs = performance.now() - started;
  check(fixAll.length === 1, `${language}: no fix-all on the large file`);
  await client.close(small);
  report(
    `${lines.toLocaleString('en-US')}-line ${language === 'python' ? 'Python' : 'TypeScript'} file`,
    `open→diagnostics ${ms(openMs)} (${opened.diagnostics.length}; a hover on another file sent meanwhile waited ${ms(otherMs)}), hover ${ms(hoverMs)}, edit ${ms(editMs)}, fix-all ${ms(fixAllMs)}`,
    server,
  );
  await client.close(uri);
}

async function manyDocuments(server: Server): Promise<void> {
  const { client } = server;
  const uris = Array.from({ length: DOCUMENTS }, (_, i) => `file:///bench/many/doc${i}.py`);
  const text = pythonModel(DOCUMENT_FUNCTIONS);
  const started = performance.now();
  const published = uris.map((uri) => client.waitForDiagnostics(uri, 1, 300_000));
  for (const uri of uris) await client.open(uri, text);
  const results = await Promise.all(published);
  const openMs = performance.now() - started;
  check(results.every((r) => r.diagnostics.length === 2 * DOCUMENT_FUNCTIONS), 'a document among 100 lost its findings');
  const hoverStarted = performance.now();
  const hovers = await Promise.all(uris.map((uri) => client.hover(uri, { line: 12, character: 12 })));
  const hoverMs = (performance.now() - hoverStarted) / uris.length;
  check(hovers.every((h) => h !== null), 'a hover among 100 documents went unanswered');
  for (const uri of uris) await client.close(uri);
  for (const uri of uris) await client.waitForStatus(uri, 'closed');
  report(`${DOCUMENTS} documents of ${(DOCUMENT_FUNCTIONS * 20).toLocaleString('en-US')} lines`, `all analysed in ${ms(openMs)}, a hover each: ${hoverMs.toFixed(1)} ms on average, then closed`, server);
}

/** Time from cancel to settled (or CLI exit) and to the runner being gone, for a measurement that would take an hour. */
async function cancellation(): Promise<void> {
  const long = () => problemFromContraction(bindShapes(parseEquation('ij,jk,kl->il'), [[4096, 4096], [4096, 4096], [4096, 4096]]));
  const inProcess: number[][] = [];
  for (let i = 0; i < CANCEL_SAMPLES; i++) {
    const controller = new AbortController();
    let runner = 0;
    let cancelledAt = 0;
    await measure(long(), {
      runs: 1000,
      warmup: 0,
      signal: controller.signal,
      onSpawn: (pid) => (runner = pid),
      onProgress: (p) => {
        if (p.phase === 'run' && cancelledAt === 0) setTimeout(() => ((cancelledAt = performance.now()), controller.abort()), 300);
      },
    }).catch(() => undefined);
    const settled = performance.now() - cancelledAt;
    inProcess.push([settled, await goneAfter(runner, cancelledAt)]);
  }
  const cli: number[][] = [];
  for (let i = 0; i < CANCEL_SAMPLES; i++) {
    const args = ['measure', '--equation', 'ij,jk,kl->il', '--shapes', '4096x4096,4096x4096,4096x4096', '--runs', '1000', '--warmup', '0', '--json'];
    const child = spawn(process.execPath, [join(REPO_ROOT, 'server', 'out', 'cli', 'main.js'), ...args]);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      let buffered = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (buffered += chunk).includes('"phase":"run"') && resolve());
    });
    const runner = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).trim().split('\n')[0]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent = performance.now();
    child.kill('SIGTERM');
    const code = await exited;
    const exitMs = performance.now() - sent;
    check(code === 130, `the CLI exited ${code} on SIGTERM`);
    cli.push([exitMs, await goneAfter(runner, sent)]);
  }
  const worst = (samples: number[][], k: number) => ms(Math.max(...samples.map((s) => s[k])));
  console.log(`${'measure: AbortSignal inside a run'.padEnd(32)} settled within ${worst(inProcess, 0)}, runner gone within ${worst(inProcess, 1)} (worst of ${CANCEL_SAMPLES})`);
  console.log(`${'measure: SIGTERM to the CLI'.padEnd(32)} exited 130 within ${worst(cli, 0)}, runner gone within ${worst(cli, 1)} (worst of ${CANCEL_SAMPLES})`);
}

/** Milliseconds from `since` until `pid` leaves the process list (Infinity past 10 s). */
async function goneAfter(pid: number, since: number): Promise<number> {
  for (;;) {
    let alive = true;
    try {
      alive = !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim().startsWith('Z');
    } catch {
      alive = false;
    }
    if (!alive) return performance.now() - since;
    if (performance.now() - since > 10_000) {
      check(false, `runner ${pid} still running 10 s after the cancel`);
      return Infinity;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function main(): Promise<void> {
  console.log('language server (default heap)');
  const server = await Server.start();
  await storm(server);
  await malformed(server);
  await large(server, 'python');
  await large(server, 'typescript');
  await manyDocuments(server);
  const peak = server.peakMB();
  await server.stop();

  console.log(`\nlanguage server (heap capped at ${CAPPED_HEAP_MB} MB)`);
  const capped = await Server.start(CAPPED_HEAP_MB);
  await storm(capped);
  await large(capped, 'python');
  await large(capped, 'typescript');
  await manyDocuments(capped);
  const cappedPeak = capped.peakMB();
  await capped.stop();
  console.log(`\npeak RSS over the whole run: ${peak.toFixed(0)} MB (default heap), ${cappedPeak.toFixed(0)} MB (heap capped at ${CAPPED_HEAP_MB} MB, survived)\n`);

  await cancellation();
  if (failures.length > 0) {
    console.error(`\nFAILED:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
