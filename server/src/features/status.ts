/** The `einsight/status` notification: what the client's status bar shows for the active editor. */
import type { AnalysisResult } from '../workspace/scheduler';
import type { Unit } from '../workspace/units';

export const STATUS_NOTIFICATION = 'einsight/status';

export type AnalysisState = 'analyzing' | 'ready' | 'failed' | 'disabled' | 'unsupported' | 'closed';

export interface AnalysisStatus {
  /** The document, or the notebook whose cells are listed in `documents`. */
  uri: string;
  documents: string[];
  state: AnalysisState;
  sites: number;
  findings: number;
  durationMs: number;
  /** Why it failed, or null. */
  message: string | null;
}

/** `result` null: an analysis has started. */
export function statusOf(unit: Unit, result: AnalysisResult | null): AnalysisStatus {
  const base = { uri: unit.key, documents: unit.documentUris(), sites: 0, findings: 0, durationMs: 0, message: null };
  if (!result) return { ...base, state: 'analyzing' };
  const durationMs = Math.round(result.durationMs * 10) / 10;
  if (result.error) return { ...base, state: 'failed', durationMs, message: firstLine(result.error) };
  if (!result.settings.enable) return { ...base, state: 'disabled' };
  if (!result.analysis) return { ...base, state: 'unsupported' };
  return { ...base, state: 'ready', durationMs, sites: result.analysis.sites.length, findings: result.analysis.findings.length };
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0];
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
