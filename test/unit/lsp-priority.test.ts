/**
 * The server runs one step below the priority it was started with, every thread of it: the
 * analysis thread included, which inherits it because the server lowers itself before starting
 * it (priority.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { test } from 'node:test';
import { loweredPriority, lowerServerPriority, PRIORITY_STEP, type PriorityPort } from 'einsight-server/service/priority';
import { LspTestClient } from '../support/lsp-client';

/** Each thread of a process and its nice value, from /proc (Linux). */
function threadNiceValues(pid: number): { name: string; nice: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // After the command name (which may hold spaces): nice is the 19th field of stat, the 17th here.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), nice: Number(fields[16]) };
  });
}

test('every thread of the server, the analysis thread included, runs one step below the priority it started with', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  // The server starts with this process's priority (0 unless the tests run under nice).
  const expected = loweredPriority(os.getPriority());
  const client = await LspTestClient.start();
  try {
    const before = threadNiceValues(client.serverPid).length;
    const uri = 'file:///priority/model.py';
    await client.open(uri, "import numpy as np\nx = np.einsum('ij,jk,kl->il', np.ones((8, 8)), np.ones((8, 8)), np.ones((8, 2)))\n");
    // The first analysis starts the analysis thread (and its helpers).
    await client.waitForDiagnostics(uri, 1);
    const threads = threadNiceValues(client.serverPid);
    assert.ok(threads.length > before, `the analysis thread started (${before} threads before, ${threads.length} after)`);
    assert.deepEqual(
      threads.filter((t) => t.nice !== expected),
      [],
      `every thread at nice ${expected}`,
    );
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

function fakePort(threads: number[], failing: Map<number, string> = new Map(), niceOf: (id: number) => number = () => 0): PriorityPort & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    getPriority: (id) => niceOf(id),
    setPriority: (id, priority) => {
      assert.equal(priority, loweredPriority(niceOf(id)));
      calls.push(id);
      const code = failing.get(id);
      if (code) throw Object.assign(new Error(`uv_os_setpriority returned ${code}`), { info: { code } });
    },
    threadIds: () => threads,
  };
}

test('the calling thread is lowered first (threads it starts inherit it), then every other thread once', () => {
  const port = fakePort([process.pid, 101, 102]);
  assert.equal(lowerServerPriority(port), null);
  assert.deepEqual(port.calls, [0, 101, 102]);
});

test('where threads cannot be listed, the process is lowered as a whole', () => {
  const port = { ...fakePort([]), threadIds: () => null };
  assert.equal(lowerServerPriority(port), null);
  assert.deepEqual(port.calls, [0]);
});

test('each thread goes one step lower than it started, at most to the lowest priority', () => {
  assert.equal(PRIORITY_STEP, 10);
  assert.deepEqual([-5, 0, 5, 9, 15, 19].map(loweredPriority), [5, 10, 15, 19, 19, 19]);
  // 102 is already at the lowest: nothing to set.
  const port = fakePort([process.pid, 101, 102], new Map(), (id) => (id === 101 ? 5 : id === 102 ? 19 : 0));
  assert.equal(lowerServerPriority(port), null);
  assert.deepEqual(port.calls, [0, 101]);
});

test('a thread that ended meanwhile is no failure; a refusal is reported, and the rest still lowered', () => {
  assert.equal(lowerServerPriority(fakePort([process.pid, 101], new Map([[101, 'ESRCH']]))), null);
  const port = fakePort([process.pid, 101, 102], new Map([[101, 'EACCES']]));
  const problem = lowerServerPriority(port);
  assert.deepEqual(port.calls, [0, 101, 102]);
  assert.match(problem ?? '', /could not lower the server's priority \(101: uv_os_setpriority returned EACCES\)/);
});
