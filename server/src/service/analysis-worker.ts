/**
 * The analysis thread's entry point: it hosts one LocalSession per open document and answers
 * the connection thread's requests about them (analysis-thread.ts). Requests run one at a time,
 * in order, so a hover asked after an edit is answered from that edit's analysis.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ParserCrashedError } from '../analysis/python/parser';
import { prepareRewrites } from '../rewrite/index';
import { builtinFrontEnds } from '../workspace/languages';
import { describeError } from '../workspace/scheduler';
import { LocalSession } from './local-session';
import { PythonIndex } from './python-index';
import { RenderingSender } from './rendered-delta';
import { snapshotOf, type ThreadReply, type ThreadRequest } from './thread-protocol';

/** The job the connection's thread no longer wants (analysis-thread.ts), read while analysing. */
const unwanted: Int32Array | undefined = (workerData as { unwanted?: Int32Array } | null)?.unwanted;
// One Python workspace index for every document of the thread (python-index.ts).
const index = new PythonIndex();
const frontEnds = builtinFrontEnds(index.workspace);
const sessions = new Map<number, { session: LocalSession; sender: RenderingSender }>();
// Quick fixes need the rewrite parser; without it only code actions are lost (each one says why).
const rewritesReady = prepareRewrites().catch((error) => console.error(`einsight: quick fixes unavailable: ${describeError(error)}`));
const queue: ThreadRequest[] = [];
let draining = false;

parentPort?.on('message', (request: ThreadRequest) => {
  queue.push(request);
  if (!draining) void drain();
});

async function drain(): Promise<void> {
  draining = true;
  try {
    while (queue.length > 0) {
      const request = queue.shift()!;
      let reply: ThreadReply;
      let crashed = false;
      try {
        reply = { job: request.job, ok: true, value: await answer(request) };
      } catch (error) {
        reply = { job: request.job, ok: false, error: describeError(error) };
        crashed = error instanceof ParserCrashedError && !error.restarted;
      }
      if (request.kind !== 'close') parentPort!.postMessage(reply);
      // A parser that cannot be restarted here (a bundle holds one copy of its module): this
      // thread ends, and the connection's side starts a fresh one for the next request.
      if (crashed) process.exit(1);
    }
  } finally {
    draining = false;
  }
}

async function answer(request: ThreadRequest): Promise<unknown> {
  if (request.kind === 'index') return index.answer(request.index);
  if (request.kind === 'analyze') {
    let open = sessions.get(request.session);
    if (!open) {
      open = { session: new LocalSession(frontEnds.for(request.languageId), request.languageId, request.options), sender: new RenderingSender() };
      sessions.set(request.session, open);
    }
    const job = request.job;
    const stop = { get aborted() { return unwanted !== undefined && Atomics.load(unwanted, 0) === job; } };
    // Only what changed since this session's last rendering crosses to the connection's thread.
    return open.sender.delta(await open.session.analyze(snapshotOf(request.snapshot), request.edits, request.settings, stop));
  }
  const session = sessions.get(request.session)?.session;
  switch (request.kind) {
    case 'hover':
      return session ? session.hover(request.version, request.uri, request.position) : null;
    case 'codeActions':
      await rewritesReady;
      return session ? session.codeActions(request.version, request.uri, request.range, request.query) : [];
    case 'fixAll':
      await rewritesReady;
      return session ? session.fixAll(request.version, request.versioned) : null;
    case 'close':
      session?.dispose();
      sessions.delete(request.session);
      return null;
  }
}
