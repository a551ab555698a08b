/**
 * The language server runs at a lower priority than the editor that started it. While the user
 * types, the editor (in VS Code its renderer, extension host and, remotely, its server), this
 * server and its analysis thread all want the CPU; on a machine with few cores the scheduler
 * shares it among them, and a frame the editor draws 30 ms late is felt at once, while an
 * analysis that ends 30 ms later is not (typing already delays it by a debounce). Lower, the
 * server takes what the editor leaves, and still gets all of an idle CPU. Other programs
 * running at the editor's priority (a build) come first too, which delays diagnostics while
 * they run.
 *
 * The step is from normal to below normal (nice 0 to 10 on Unix), taken from where the server
 * started (at most to the lowest, 19), so an editor started below normal keeps its lead. On
 * Linux the nice value belongs to each thread (setpriority(2), NOTES), and a thread starts with
 * its creator's: so the main thread is lowered before the analysis thread exists, which then
 * inherits it, and the threads Node started before this code ran (V8's helpers for garbage
 * collection and compilation, libuv's pool) are lowered one by one, by their ids in
 * /proc/self/task. Elsewhere the priority belongs to the process. Processes the server starts
 * (its measure command's runs) inherit it too: both sides of a comparison run alike.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';

const { PRIORITY_NORMAL, PRIORITY_BELOW_NORMAL, PRIORITY_LOW } = os.constants.priority;
/** How much lower than it started the server runs (a larger number is a lower priority). */
export const PRIORITY_STEP = PRIORITY_BELOW_NORMAL - PRIORITY_NORMAL;

/** The priority of a thread that started at `started`. */
export function loweredPriority(started: number): number {
  return Math.min(PRIORITY_LOW, started + PRIORITY_STEP);
}

export interface PriorityPort {
  /** os.getPriority and os.setPriority: on Linux, of one thread (a process id is its main thread's id). */
  getPriority(id: number): number;
  setPriority(id: number, priority: number): void;
  /** The ids of the process's threads, or null where they cannot be listed (not Linux). */
  threadIds(): number[] | null;
}

const SYSTEM: PriorityPort = {
  getPriority: (id) => os.getPriority(id),
  setPriority: (id, priority) => os.setPriority(id, priority),
  threadIds: () => {
    if (process.platform !== 'linux') return null;
    try {
      return readdirSync('/proc/self/task').map(Number).filter(Number.isInteger);
    } catch {
      return null;
    }
  },
};

/**
 * Lowers the server's priority by one step: every thread of the process now, and so every
 * thread started later. Returns why it could not, or null. Call it once, before starting any
 * worker thread.
 */
export function lowerServerPriority(port: PriorityPort = SYSTEM): string | null {
  const failures: string[] = [];
  const lower = (id: number) => {
    try {
      const started = port.getPriority(id);
      if (loweredPriority(started) !== started) port.setPriority(id, loweredPriority(started));
    } catch (error) {
      // A thread that ended since it was listed has nothing left to lower.
      if ((error as { info?: { code?: string } }).info?.code === 'ESRCH') return;
      failures.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  // The calling thread first (0: "this one"): the threads it starts from now on inherit it.
  lower(0);
  for (const id of port.threadIds() ?? []) if (id !== process.pid) lower(id);
  return failures.length === 0 ? null : `einsight: could not lower the server's priority (${failures.join('; ')}); it runs at the priority it was started with`;
}
