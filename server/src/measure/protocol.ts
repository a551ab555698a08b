/** Messages between the measuring process and its runner child (Node IPC, advanced serialization). */

export type ExecutionProvider = 'cpu' | 'cuda';

/**
 * The environment entry that keeps onnxruntime from writing or sending telemetry (see
 * onnxruntime.ts); the runner is started with it, and sets it again before loading onnxruntime.
 */
export const TELEMETRY_OFF = { ORT_DISABLE_TELEMETRY: '1' } as const;

/** Leaf inputs are named x0, x1, … in every model, so one set of feeds runs them all. */
export function inputName(index: number): string {
  return `x${index}`;
}

export interface RunnerJob {
  /** Serialized ONNX models; the first is the reference the others are compared with. */
  models: Uint8Array[];
  /** Shapes of the inputs (see inputName), filled with `seededInput(seed, index, …)`. */
  inputShapes: number[][];
  seed: number;
  warmup: number;
  runs: number;
  ep: ExecutionProvider;
}

export type RunnerPhase = 'load' | 'warmup' | 'run';

export type RunnerMessage =
  | { type: 'provider'; used: ExecutionProvider; fallback: string | null }
  /** Sent before each step, so the parent can time every run out on its own. */
  | { type: 'progress'; model: number; phase: RunnerPhase; index: number; total: number }
  | {
      type: 'result';
      model: number;
      samplesMs: number[];
      outputShape: number[];
      /** Largest |output| (the scale of the agreement test). */
      maxAbs: number;
      /** Largest |output − reference output|; null for the reference itself. */
      maxAbsDiff: number | null;
      /** Some output element is NaN or infinite. */
      nonFinite: boolean;
    }
  /** Resident memory before the inputs were made and at its peak, and the data size limit (MB; null: none). */
  | { type: 'done'; baseRssMB: number; peakRssMB: number; capMB: number | null }
  | { type: 'error'; message: string };
