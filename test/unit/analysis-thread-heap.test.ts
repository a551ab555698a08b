/**
 * The analysis thread runs with its own young generation (ANALYSIS_THREAD_HEAP): 96 MB, whose
 * two semi-spaces of 32 MB hold a new document's parse tree while it is built. The thread's
 * script is replaced by a probe that reports the limits it runs under and what V8 made of them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ANALYSIS_THREAD_HEAP, AnalysisThread } from 'einsight-server/service/analysis-thread';

const PROBE = join(__dirname, '../../fixtures/analysis-thread/heap-probe.js');

test('the analysis thread starts with a 96 MB young generation, two 32 MB semi-spaces once filled', async () => {
  const logged: string[] = [];
  const thread = new AnalysisThread((message) => logged.push(message), ['python'], PROBE);
  try {
    const got = await thread.request<{ resourceLimits: { maxYoungGenerationSizeMb: number }; newSpaceMb: number; kept: number }>({ kind: 'close', session: 0 });
    assert.equal(ANALYSIS_THREAD_HEAP.maxYoungGenerationSizeMb, 96);
    assert.equal(got.resourceLimits.maxYoungGenerationSizeMb, 96);
    // V8's default on 64-bit is 48 MB (two 16 MB semi-spaces): the limit took effect.
    assert.equal(got.newSpaceMb, 64);
    assert.equal(got.kept, 2e6);
    assert.deepEqual(logged, []);
  } finally {
    thread.dispose();
  }
});
