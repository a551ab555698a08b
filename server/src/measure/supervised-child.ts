/**
 * What both measuring children (the onnxruntime runner and the library's benchmark script) need
 * from their parent: one time limit per step the child announces, cancellation, the tail of its
 * stderr for the error message, and an answer settled exactly once, with the child killed then
 * so that no measurement outlives its answer.
 */
import type { ChildProcess } from 'node:child_process';
import { MeasureError } from './problem';

export interface ChildLimits {
  /** Longest loading (the runtime, models, inputs) may take before the first run. */
  loadTimeoutMs: number;
  /** Longest a single warm-up or timed run may take. */
  runTimeoutMs: number;
  signal?: AbortSignal;
  /** Called with the child's pid once it is started (tests check that it is gone afterwards). */
  onSpawn?: (pid: number) => void;
}

const STDERR_TAIL = 2000;

export class SupervisedChild {
  private settledAlready = false;
  private timer: NodeJS.Timeout | undefined;
  private stderrTail = '';
  private readonly onAbort = () => this.finish(new MeasureError('cancelled', 'measurement cancelled'));

  /** `settle` gets null on success, else the error; it is called once, after the child is killed. */
  constructor(
    private readonly child: ChildProcess,
    private readonly limits: ChildLimits,
    private readonly settle: (error: Error | null) => void,
  ) {
    limits.signal?.addEventListener('abort', this.onAbort);
    if (child.pid !== undefined) limits.onSpawn?.(child.pid);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL)));
  }

  get settled(): boolean {
    return this.settledAlready;
  }

  /** The last characters the child wrote to stderr, trimmed. */
  get stderr(): string {
    return this.stderrTail.trim();
  }

  finish(error: Error | null): void {
    if (this.settledAlready) return;
    this.settledAlready = true;
    clearTimeout(this.timer);
    this.limits.signal?.removeEventListener('abort', this.onAbort);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.settle(error);
  }

  /** Starts the time limit of the next step: past `limitMs`, the answer is `timeout()`. */
  arm(limitMs: number, timeout: () => Error): void {
    // Once settled, a late message must not start a timer that keeps this process alive.
    if (this.settledAlready) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.finish(timeout()), limitMs);
  }
}

/** `exited with code 1`, `was killed (SIGKILL, perhaps out of memory)`. */
export function howItEnded(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed (${signal}${signal === 'SIGKILL' ? ', perhaps out of memory' : ''})` : `exited with code ${code}`;
}

/** `took longer than 60 s; stopped it`, after what took it. */
export function tookTooLong(what: string, limitMs: number): string {
  return `${what} took longer than ${limitMs / 1000} s; stopped it`;
}
