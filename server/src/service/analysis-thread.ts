/**
 * The connection's side of the analysis thread (analysis-worker.ts): sessions whose work runs
 * there, so this thread stays free to answer requests and cancellations while a long analysis
 * runs. Only small answers cross: each analysis's rendering (diagnostics, lenses, hints), a
 * hover, code actions. The thread starts with the first analysis and again after it dies (each
 * death is logged; what waited on it fails and its documents parse afresh). Its console goes to
 * the log, never to stdout, which carries the protocol.
 */
import path from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { CodeAction, Hover, Position, Range, WorkspaceEdit } from 'vscode-languageserver';
import type { StopSignal } from '../analysis/budget';
import type { SourceEdit } from '../workspace/frontends';
import type { CodeActionQuery, DocumentSession, RenderedAnalysis, RenderOptions, SessionFactory } from '../workspace/session';
import type { EinsightSettings } from '../workspace/settings';
import type { UnitSnapshot } from '../workspace/snapshot';
import { RenderingReceiver, type RenderedDelta } from './rendered-delta';
import { snapshotData, type ThreadReply, type ThreadRequest } from './thread-protocol';

/** Beside this module, both in the compiled sources and in the bundle. */
const WORKER_SCRIPT = path.join(__dirname, 'analysis-worker.js');

/**
 * The analysis thread's heap: a young generation of 96 MB (two 32 MB semi-spaces), twice V8's
 * default. A new document's parse tree (25 MB for a 1.3 MB module) is built all at once and
 * lives on; with the default, scavenges copied it twice before it reached the old generation.
 * Side by side in separate processes (bench:pricing's 1.3 MB module, load ~3.3): processor
 * time 760 → 673 ms, collection 109 → 78 ms; the 5,000-line module 193 → 187 ms. The space is
 * committed only as it fills, so small files do not pay for it.
 */
export const ANALYSIS_THREAD_HEAP: ResourceLimits = { maxYoungGenerationSizeMb: 96 };

type Job = ThreadRequest extends infer R ? (R extends unknown ? Omit<R, 'job'> : never) : never;

export class AnalysisThread {
  private worker: Worker | null = null;
  private nextJob = 1;
  private nextSession = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  /**
   * Shared with the thread: the job whose analysis is no longer wanted. The thread reads it
   * while it analyses (it cannot take a message then) and stops reading and pricing early.
   */
  private readonly unwanted = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));

  constructor(
    private readonly log: (message: string) => void,
    private readonly languageIds: readonly string[],
    private readonly script = WORKER_SCRIPT,
  ) {}

  sessions(): SessionFactory {
    return {
      languageIds: this.languageIds,
      open: (languageId, options) => new ThreadSession(this, this.nextSession++, languageId, options),
    };
  }

  /** Sends a job; when `signal` aborts, the thread is told to stop it early (it still answers). */
  request<T>(job: Job, signal?: StopSignal & Pick<AbortSignal, 'addEventListener'>): Promise<T> {
    const id = this.nextJob++;
    const worker = this.started();
    signal?.addEventListener('abort', () => Atomics.store(this.unwanted, 0, id), { once: true });
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...job, job: id } as ThreadRequest);
    });
  }

  /** Fire and forget: no answer comes back. */
  notify(job: Job): void {
    this.worker?.postMessage({ ...job, job: 0 } as ThreadRequest);
  }

  dispose(): void {
    const worker = this.worker;
    this.worker = null;
    void worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, {
      stdout: true,
      stderr: true,
      workerData: { unwanted: this.unwanted },
      resourceLimits: ANALYSIS_THREAD_HEAP,
    });
    this.worker = worker;
    // The thread alone never keeps the server running: the connection decides when it ends.
    worker.unref();
    const forward = (chunk: Buffer) => this.log(`einsight analysis thread: ${chunk.toString().trimEnd()}`);
    worker.stdout.on('data', forward);
    worker.stderr.on('data', forward);
    worker.on('message', (reply: ThreadReply) => this.settle(reply));
    worker.on('error', (error) => this.stopped(worker, `it failed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => this.stopped(worker, `it exited with code ${code}`));
    return worker;
  }

  private settle(reply: ThreadReply): void {
    const pending = this.pending.get(reply.job);
    if (!pending) return;
    this.pending.delete(reply.job);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new Error(reply.error));
  }

  private stopped(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.log(`einsight: the analysis thread stopped (${why}); it restarts with the next analysis`);
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const pending of waiting) pending.reject(new Error(`the analysis thread stopped: ${why}`));
  }
}

/**
 * One document's session on the thread. A thread that does not know the session (it started
 * since) opens it afresh and parses the whole text.
 */
class ThreadSession implements DocumentSession {
  /** The lists of the last rendering the thread sent: each analysis sends only their changes. */
  private readonly rendered = new RenderingReceiver();

  constructor(
    private readonly thread: AnalysisThread,
    private readonly id: number,
    private readonly languageId: string,
    private readonly options: RenderOptions,
  ) {}

  /**
   * Never rejects when `signal` aborts: the thread stops reading and pricing early but applies
   * the edits, so the next analysis stays incremental; the caller drops the result. Every
   * rendering that comes back is applied, dropped or not: the next one is sent as its changes.
   */
  async analyze(snapshot: UnitSnapshot, edits: readonly SourceEdit[] | null, settings: EinsightSettings, signal: AbortSignal): Promise<RenderedAnalysis> {
    const delta = await this.thread.request<RenderedDelta>(
      {
      kind: 'analyze',
      session: this.id,
      languageId: this.languageId,
      options: this.options,
      snapshot: snapshotData(snapshot),
      edits: edits ? [...edits] : null,
      settings,
      },
      signal,
    );
    return this.rendered.apply(delta);
  }

  hover(version: number, uri: string, position: Position): Promise<Hover | null> {
    return this.thread.request({ kind: 'hover', session: this.id, version, uri, position });
  }

  codeActions(version: number, uri: string, range: Range, query: CodeActionQuery): Promise<CodeAction[]> {
    return this.thread.request({ kind: 'codeActions', session: this.id, version, uri, range, query });
  }

  fixAll(version: number, versioned: boolean): Promise<WorkspaceEdit | null> {
    return this.thread.request({ kind: 'fixAll', session: this.id, version, versioned });
  }

  dispose(): void {
    this.thread.notify({ kind: 'close', session: this.id });
  }
}
