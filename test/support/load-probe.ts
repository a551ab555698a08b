/**
 * Preloaded into a server (`node --require load-probe.js …`, inherited by its worker threads):
 * appends a line to $EINSIGHT_LOAD_PROBE each time the process or a thread loads the TypeScript
 * compiler, so a test can tell whether it was ever loaded.
 */
import { appendFileSync } from 'node:fs';
import Module from 'node:module';
import { isMainThread, threadId } from 'node:worker_threads';

const out = process.env.EINSIGHT_LOAD_PROBE;
const moduleInternals = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
const load = moduleInternals._load;
moduleInternals._load = function probe(request: string, ...rest: unknown[]) {
  if (out && request === 'typescript') appendFileSync(out, `typescript loaded on ${isMainThread ? 'the main thread' : `thread ${threadId}`}\n`);
  return load.call(this, request, ...rest);
};
