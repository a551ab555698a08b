/**
 * The analysis thread's entry point: it hosts one LocalSession per open document and answers
 * the connection thread's requests about them (analysis-thread.ts). Requests run one at a time,
 * in order, so a hover asked after an edit is answered from that edit's analysis.
 */
import { parentPort } from 'node:worker_threads';
import { prepareRewrites } from '../rewrite/index';
import { builtinFrontEnds } from '../workspace/languages';
import { describeError } from '../workspace/scheduler';
import { LocalSession } from './local-session';
import { PythonIndex } from './python-index';
import { snapshotOf, type ThreadReply, type ThreadRequest } from './thread-protocol';

// One Python workspace index for every document of the thread (python-index.ts).
const index = new PythonIndex();
const frontEnds = builtinFrontEnds(index.workspace);
const sessions = new Map<number, LocalSession>();
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
      try {
        reply = { job: request.job, ok: true, value: await answer(request) };
      } catch (error) {
        reply = { job: request.job, ok: false, error: describeError(error) };
      }
      if (request.kind !== 'close') parentPort!.postMessage(reply);
    }
  } finally {
    draining = false;
  }
}

async function answer(request: ThreadRequest): Promise<unknown> {
  if (request.kind === 'index') return index.answer(request.index);
  if (request.kind === 'analyze') {
    let session = sessions.get(request.session);
    if (!session) {
      session = new LocalSession(frontEnds.for(request.languageId), request.languageId, request.options);
      sessions.set(request.session, session);
    }
    return session.analyze(snapshotOf(request.snapshot), request.edits, request.settings, new AbortController().signal);
  }
  const session = sessions.get(request.session);
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
