/**
 * The JSON `einsight measure --json` prints, as far as the extension reads it (the CLI's
 * MeasureReport plus `source` and `text`). FLOP counts are exact integers; they may exceed
 * 2^53, where JSON.parse rounds them, which is fine for display.
 */

export interface TimingStats {
  medianMs: number;
  minMs: number;
  p90Ms: number;
  samplesMs: number[];
}

export interface MeasuredVariant {
  kind: 'as-written' | 'einsum' | 'matmul';
  description: string;
  nodes: string[];
  flops: number;
  scalarMultiplies: number;
  timing: TimingStats;
  maxAbsDiff: number;
  agrees: boolean;
}

export interface MeasureReportJson {
  title: string;
  equation: string;
  sizes: Record<string, number>;
  inputShapes: number[][];
  ep: { requested: 'cpu' | 'cuda'; used: 'cpu' | 'cuda'; message: string | null };
  asWritten: MeasuredVariant;
  optimized: MeasuredVariant;
  candidates: MeasuredVariant[];
  predictedSpeedup: number;
  measuredSpeedup: number | null;
  agree: boolean;
  verdict: string;
  source: { file: string; line: number; column: number; site: number; chain: number | null } | null;
  /** The CLI's text report: what the Output channel shows. */
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

export interface MeasureProgressJson {
  progress: { variant: 'as-written' | 'einsum' | 'matmul'; phase: 'load' | 'warmup' | 'run'; index: number; total: number; fraction: number };
}
