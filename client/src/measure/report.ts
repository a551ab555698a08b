/**
 * The JSON `einsight measure --json` prints (docs/measure.schema.json), as far as the extension
 * reads it. FLOP counts are exact integers; they may exceed 2^53, where JSON.parse rounds them,
 * which is fine for display.
 */

export interface TimingStats {
  medianMs: number;
  minMs: number;
  p90Ms: number;
  samplesMs: number[];
}

export interface NotMeasured {
  status: 'unavailable' | 'refused' | 'failed' | 'skipped';
  reason: string;
  /** The setting that would fix it: the panel and the notification offer "Open setting". */
  setting: string | null;
}

export interface NativeMeasured {
  status: 'measured';
  library: { name: string; version: string };
  device: { kind: string; name: string; message: string | null };
  asWritten: { timing: TimingStats };
  rewritten: { timing: TimingStats; fixes: { code: string; title: string }[] } | null;
  agreement: { agree: boolean; why: string | null } | null;
  measuredSpeedup: number | null;
}

export interface OnnxVariant {
  kind: 'as-written' | 'einsum' | 'matmul';
  description: string;
  flops: number;
  timing: TimingStats;
  agrees: boolean;
}

export interface OnnxMeasured {
  status: 'measured';
  ep: { requested: 'cpu' | 'cuda'; used: 'cpu' | 'cuda'; message: string | null };
  asWritten: OnnxVariant;
  optimized: OnnxVariant;
  candidates: OnnxVariant[];
  predictedSpeedup: number;
  measuredSpeedup: number | null;
  agree: boolean;
  verdict: string;
}

export interface MeasureReportJson {
  title: string;
  equation: string;
  sizes: Record<string, number>;
  inputShapes: number[][];
  source: { file: string; line: number; column: number; site: number; chain: number | null } | null;
  finding: { code: string; message: string; predicts: string | null; predictedSpeedup: number | null } | null;
  headline: string;
  explanation: string | null;
  native: NativeMeasured | NotMeasured;
  onnxruntime: OnnxMeasured | NotMeasured;
  /** The CLI's text report: what the Output channel gets. */
  text: string;
}

export interface MeasureErrorJson {
  error: {
    code: 'missing-sizes' | 'invalid' | 'memory' | 'cancelled' | 'timeout' | 'runtime';
    message: string;
    missingDims?: string[];
    location?: string | null;
  };
}

export type MeasureProgress =
  | { section: 'native'; form: 'as-written' | 'rewritten'; phase: 'warmup' | 'run'; index: number; fraction: number }
  | { section: 'onnxruntime'; variant: 'as-written' | 'einsum' | 'matmul'; phase: 'load' | 'warmup' | 'run'; index: number; total: number; fraction: number };

export interface MeasureProgressJson {
  progress: MeasureProgress;
}
