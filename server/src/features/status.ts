/** The `einsight/status` notification: what the client's status bar shows for the active editor. */
import type { UnitResult } from '../workspace/scheduler';
import type { Unit } from '../workspace/units';

export const STATUS_NOTIFICATION = 'einsight/status';

export type AnalysisState = 'analyzing' | 'ready' | 'failed' | 'disabled' | 'unsupported' | 'closed';

export interface AnalysisStatus {
  /** The document, or the notebook whose cells are listed in `documents`. */
  uri: string;
  /**
   * Each document of the unit, with the version the status is about (null while analysing or
   * once closed): a client can tell that an edit was analysed even when its diagnostics did not
   * change and so were not published again.
   */
  documents: { uri: string; version: number | null }[];
  /** The language analysed (`python`, `typescript`, …), so the client can name it. */
  languageId: string;
  state: AnalysisState;
  sites: number;
  findings: number;
  /** Findings shown as errors (after the user's severity settings). */
  errors: number;
  durationMs: number;
  /** Why it failed; when ready, why the file was not analysed or not fully; else null. */
  message: string | null;
  /** Recorded shapes in use (`einsight record`): the file, sites matched, recordings that fit no call now. */
  observed: { source: string; matched: number; stale: number } | null;
}

/** `result` null: an analysis has started. */
export function statusOf(unit: Unit, result: UnitResult | null): AnalysisStatus {
  const documents = result
    ? result.snapshot.slices.map((slice) => ({ uri: slice.uri, version: slice.version }))
    : unit.documentUris().map((uri) => ({ uri, version: null }));
  const base = { uri: unit.key, documents, languageId: unit.languageId, sites: 0, findings: 0, errors: 0, durationMs: 0, message: null, observed: null };
  if (!result) return { ...base, state: 'analyzing' };
  const { rendered, settings } = result;
  const durationMs = Math.round(rendered.durationMs * 10) / 10;
  if (rendered.state === 'failed') return { ...base, state: 'failed', durationMs, message: firstLine(rendered.error ?? 'unknown error') };
  if (!settings.enable) return { ...base, state: 'disabled' };
  if (rendered.state === 'unsupported') return { ...base, state: 'unsupported' };
  // What the Problems panel shows, after the user's severity settings (an error is severity 1).
  // The notice that a file is not (fully) analysed is no finding: it carries no rule code.
  const shown = rendered.diagnostics.flatMap(([, list]) => list).filter((d) => d.code !== undefined);
  const errors = shown.filter((d) => d.severity === 1).length;
  return { ...base, state: 'ready', durationMs, sites: rendered.sites, findings: shown.length, errors, message: rendered.notice, observed: rendered.observed ?? null };
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0];
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
