/**
 * The language service in-process, with front ends that crash, hang or count their calls: the
 * properties that need a misbehaving analysis to show (crash isolation, stale work dropped).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancellationToken, type PublishDiagnosticsParams } from 'vscode-languageserver';
import type { FileAnalysis } from 'einsight-server/analysis/model';
import type { AnalysisStatus } from 'einsight-server/features/status';
import { LanguageService, type ClientPort } from 'einsight-server/service/language-service';
import { localSessions } from 'einsight-server/service/local-session';
import { AnalysisScheduler, MIN_SETTLE_MS } from 'einsight-server/workspace/scheduler';
import { DEFAULT_SETTINGS } from 'einsight-server/workspace/settings';
import { TextUnit } from 'einsight-server/workspace/units';
import { FrontEndRegistry, type DocumentAnalyzer, type SourceEdit } from 'einsight-server/workspace/frontends';

const EMPTY: FileAnalysis = { language: 'python', sites: [], chains: [], findings: [], syntaxErrors: [] };

function finding(start: number, message: string): FileAnalysis['findings'][number] {
  return { code: 'EIN001', rule: 'wasted-flops', severity: 'warning', message, range: { start, end: start + 1 }, site: null, chain: null, baselineFlops: null, bestFlops: null, speedup: null };
}

class RecordingClient implements ClientPort {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly statuses: AnalysisStatus[] = [];
  readonly errors: string[] = [];
  private waiters: { accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  readonly watched: string[] = [];
  async watchFiles(globPattern: string): Promise<void> {
    this.watched.push(globPattern);
  }
  publishDiagnostics(params: PublishDiagnosticsParams): void {
    this.published.push(params);
    this.waiters = this.waiters.filter((w) => (w.accept(params) ? (w.resolve(params), false) : true));
  }
  sendStatus(status: AnalysisStatus): void {
    this.statuses.push(status);
    if (status.state === 'analyzing' || status.state === 'closed') return;
    // Unchanged diagnostics are not published again: the status says which version they now show.
    for (const { uri, version } of status.documents) {
      const shown = this.published.filter((p) => p.uri === uri).at(-1) ?? { uri, diagnostics: [] };
      const current = { ...shown, version: version ?? undefined };
      this.waiters = this.waiters.filter((w) => (w.accept(current) ? (w.resolve(current), false) : true));
    }
  }
  pullSettings = async () => ({});
  applyEdit = async () => true;
  refreshInlayHints(): void {}
  showWarning(): void {}
  showInformation(): void {}
  showDocument = async () => false;
  log(): void {}
  debug(): void {}
  logError(message: string): void {
    this.errors.push(message);
  }
  next(accept: (p: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.push({ accept, resolve }));
  }
}

function serviceWith(createAnalyzer: () => Promise<DocumentAnalyzer>, debounceMs = 5): { service: LanguageService; client: RecordingClient } {
  const registry = new FrontEndRegistry();
  registry.register({ name: 'Fake', languageIds: ['python'], createAnalyzer });
  const client = new RecordingClient();
  const service = new LanguageService(client, localSessions(registry), debounceMs);
  service.initialize({ processId: null, rootUri: null, capabilities: { workspace: { configuration: true } } });
  return { service, client };
}

// Tests that count analyses use untitled documents: for a file, the server asks the project's
// interpreter what it has, and its answer analyses the document again at an unforeseeable moment.
function open(service: LanguageService, uri: string, text: string): void {
  service.didOpenTextDocument({ textDocument: { uri, languageId: 'python', version: 1, text } });
}

function replaceAll(service: LanguageService, uri: string, version: number, text: string): void {
  service.didChangeTextDocument({ textDocument: { uri, version }, contentChanges: [{ text }] });
}

test('an analysis that throws fails alone: logged, cleared, and the next edit recovers', async () => {
  let created = 0;
  const { service, client } = serviceWith(async () => {
    created++;
    return {
      analyze: (text: string) => {
        if (text.includes('CRASH')) throw new RangeError('boom');
        return { ...EMPTY, findings: [finding(0, `ok: ${text}`)] };
      },
      dispose: () => undefined,
    };
  });
  const healthy = client.next((p) => p.uri === 'file:///healthy.py');
  const broken = client.next((p) => p.uri === 'file:///broken.py');
  open(service, 'file:///healthy.py', 'fine');
  open(service, 'file:///broken.py', 'CRASH here');
  assert.equal((await healthy).diagnostics[0].message, 'ok: fine');
  assert.deepEqual((await broken).diagnostics, []);
  assert.ok(client.errors.some((e) => e.includes('analysis of file:///broken.py (version 1) failed') && e.includes('RangeError: boom')));
  const failed = client.statuses.filter((s) => s.uri === 'file:///broken.py').at(-1);
  assert.equal(failed?.state, 'failed');
  assert.equal(failed?.message, 'RangeError: boom');
  // The crashed analyzer is dropped; the next edit gets a fresh one and works.
  const recovered = client.next((p) => p.uri === 'file:///broken.py' && p.version === 2);
  replaceAll(service, 'file:///broken.py', 2, 'mended');
  assert.equal((await recovered).diagnostics[0].message, 'ok: mended');
  assert.equal(created, 3, 'one analyzer per document, plus one after the crash');
  // Requests about the document work again too.
  const hover = await service.hover({ textDocument: { uri: 'file:///broken.py' }, position: { line: 0, character: 0 } }, CancellationToken.None);
  assert.equal(hover, null);
});

test('edits inside the debounce are folded into one analysis of the newest text, with incremental edits', async () => {
  const calls: { text: string; edits: readonly SourceEdit[] | null }[] = [];
  const { service, client } = serviceWith(
    async () => ({
      analyze: (text: string, edits: readonly SourceEdit[] | null) => {
        calls.push({ text, edits });
        return EMPTY;
      },
      dispose: () => undefined,
    }),
    30,
  );
  const uri = 'untitled:debounce.py';
  const done = client.next((p) => p.uri === uri && p.version === 4);
  open(service, uri, 'ab');
  for (const [version, character, text] of [[2, 2, 'c'], [3, 3, 'd'], [4, 0, '>']] as const) {
    service.didChangeTextDocument({
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line: 0, character }, end: { line: 0, character } }, text }],
    });
  }
  await done;
  assert.deepEqual(calls, [{ text: '>abcd', edits: null }]);
  const next = client.next((p) => p.uri === uri && p.version === 5);
  service.didChangeTextDocument({
    textDocument: { uri, version: 5 },
    contentChanges: [{ range: { start: { line: 0, character: 1 }, end: { line: 0, character: 3 } }, text: 'X' }],
  });
  await next;
  assert.deepEqual(calls[1], { text: '>Xcd', edits: [{ start: 1, end: 3, text: 'X' }] });
});

test('an asynchronous analysis overtaken by an edit is aborted and never published', async () => {
  const aborted: string[] = [];
  const { service, client } = serviceWith(async () => ({
    analyze: (text: string, _edits: unknown, _options: unknown, signal: AbortSignal) =>
      new Promise<FileAnalysis>((resolve, reject) => {
        const timer = setTimeout(() => resolve({ ...EMPTY, findings: [finding(0, text)] }), 50);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          aborted.push(text);
          reject(new Error('aborted'));
        });
      }),
    dispose: () => undefined,
  }));
  const uri = 'untitled:slow.py';
  const last = client.next((p) => p.uri === uri && p.version === 2);
  open(service, uri, 'old');
  // Let the first analysis start, then edit while it runs.
  await new Promise((resolve) => setTimeout(resolve, 20));
  replaceAll(service, uri, 2, 'new');
  const published = await last;
  assert.deepEqual(aborted, ['old']);
  assert.equal(published.diagnostics[0].message, 'new');
  assert.deepEqual(client.published.filter((p) => p.uri === uri).map((p) => p.version), [2]);
  assert.deepEqual(client.errors, [], 'an abort is not an error');
});

test('a front end that cannot start is reported, and the server answers without it', async () => {
  const { service, client } = serviceWith(() => Promise.reject(new Error('no wasm here')));
  const uri = 'file:///nofrontend.py';
  const published = client.next((p) => p.uri === uri);
  open(service, uri, 'x = 1');
  assert.deepEqual((await published).diagnostics, []);
  assert.ok(client.errors.some((e) => e.includes('could not start the Fake front end') && e.includes('no wasm here')));
  assert.equal(client.statuses.at(-1)?.state, 'unsupported');
});

test('documents in languages without a front end are not tracked', async () => {
  const { service, client } = serviceWith(async () => ({ analyze: () => EMPTY, dispose: () => undefined }));
  service.didOpenTextDocument({ textDocument: { uri: 'file:///notes.md', languageId: 'markdown', version: 1, text: '# hi' } });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(client.published, []);
  assert.equal(await service.hover({ textDocument: { uri: 'file:///notes.md' }, position: { line: 0, character: 0 } }, CancellationToken.None), null);
});

test('a cancelled request gets no answer computed for it', async () => {
  const { service } = serviceWith(async () => ({ analyze: () => EMPTY, dispose: () => undefined }));
  open(service, 'file:///cancel.py', 'x');
  const cancelled = { isCancellationRequested: true, onCancellationRequested: CancellationToken.None.onCancellationRequested };
  assert.deepEqual(await service.inlayHints({ textDocument: { uri: 'file:///cancel.py' }, range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } } }, cancelled), []);
});

test('the pause that ends a burst follows the document\'s analysis time, within bounds', () => {
  const scheduler = new AnalysisScheduler(localSessions(new FrontEndRegistry()), () => ({ measureCommand: 'x' }), {
    settingsFor: async () => DEFAULT_SETTINGS,
    analyzed: () => undefined,
    analyzing: () => undefined,
    logError: () => undefined,
  });
  assert.equal(scheduler.settleMs({ durations: [] }), MIN_SETTLE_MS);
  assert.equal(scheduler.settleMs({ durations: [10, 12, 8] }), MIN_SETTLE_MS);
  assert.equal(scheduler.settleMs({ durations: [200, 220, 180, 5000, 190] }), 100);
  assert.equal(scheduler.settleMs({ durations: [900, 1000, 1100] }), 150);
});

test('a request waiting for an analysis that a re-analysis of the same text stops gets the new one\'s answer', async () => {
  const analysed: string[] = [];
  const registry = new FrontEndRegistry();
  registry.register({
    name: 'Fake',
    languageIds: ['python'],
    createAnalyzer: async () => ({
      analyze: (text: string, _edits: unknown, _options: unknown, signal: AbortSignal) =>
        new Promise<FileAnalysis>((resolve, reject) => {
          const timer = setTimeout(() => (analysed.push(text), resolve(EMPTY)), 40);
          signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('aborted'))));
        }),
      dispose: () => undefined,
    }),
  });
  const scheduler = new AnalysisScheduler(localSessions(registry), () => ({ measureCommand: 'x' }), {
    settingsFor: async () => DEFAULT_SETTINGS,
    analyzed: () => undefined,
    analyzing: () => undefined,
    logError: () => undefined,
  });
  const unit = new TextUnit({ uri: 'file:///again.py', languageId: 'python', version: 1, text: 'x' });
  scheduler.schedule(unit);
  const answer = scheduler.at(unit);
  await new Promise((resolve) => setTimeout(resolve, 10));
  // What the language server does when the Python environment or the workspace index arrives.
  scheduler.invalidate(unit);
  const result = await answer;
  assert.equal(result?.snapshot.version, unit.version, 'answered, not dropped');
  assert.deepEqual(analysed, ['x']);
  scheduler.close(unit);
});

test('typing in a slow document: keys are folded, the last key\'s text is analysed once more at most', async () => {
  const analysed: string[] = [];
  const { service, client } = serviceWith(async () => ({
    analyze: (text: string) =>
      new Promise<FileAnalysis>((resolve) =>
        setTimeout(() => {
          analysed.push(text);
          resolve(EMPTY);
        }, 120),
      ),
    dispose: () => undefined,
  }), MIN_SETTLE_MS);
  const uri = 'untitled:slow-typing.py';
  open(service, uri, '');
  for (let version = 2; version <= 21; version++) {
    service.didChangeTextDocument({ textDocument: { uri, version }, contentChanges: [{ text: 'x'.repeat(version) }] });
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  await client.next((p) => p.uri === uri && p.version === 21);
  assert.ok(analysed.length <= 6, `${analysed.length} analyses for 20 keys: ${analysed.map((t) => t.length).join(', ')}`);
  assert.equal(analysed.at(-1), 'x'.repeat(21));
});

test('requests during a burst wait for its analysis instead of starting one per key', async () => {
  const analysed: string[] = [];
  const { service, client } = serviceWith(async () => ({
    analyze: (text: string) => {
      analysed.push(text);
      return { ...EMPTY, findings: [finding(0, text)] };
    },
    dispose: () => undefined,
  }), 300);
  const uri = 'untitled:requests.py';
  const first = client.next((p) => p.uri === uri);
  open(service, uri, 'a');
  await first;
  // A quiet spell longer than the pause, so the first key below starts a burst (a long pause, so
  // a loaded machine's stalls between the keys stay inside it).
  await new Promise((resolve) => setTimeout(resolve, 320));
  const answers: Promise<unknown>[] = [];
  for (let version = 2; version <= 6; version++) {
    service.didChangeTextDocument({ textDocument: { uri, version }, contentChanges: [{ text: 'a'.repeat(version) }] });
    // As an editor does after each key: code actions for the cursor, then lenses.
    answers.push(service.codeActions({ textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } }, CancellationToken.None));
    answers.push(service.codeLenses({ textDocument: { uri } }, CancellationToken.None));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(answers);
  // The first key after a quiet spell is analysed at once; the rest of the burst once, after its pause.
  assert.deepEqual(analysed, ['a', 'aa', 'aaaaaa']);
});
