/**
 * When analyses run. An edit after a pause is analysed at once; edits in a burst fold into one
 * analysis of the newest text once the burst settles (debounce). A request that needs the current analysis (hover, code actions) runs it at
 * once. Stale work is dropped at every await: an analysis overtaken by an edit is never
 * published, and an asynchronous analyzer is told through its signal to stop. Every failure
 * stays inside its unit: it is logged, the unit's analyzer is rebuilt, the server goes on.
 */
import type { FileAnalysis } from '../analysis/model';
import type { DocumentAnalyzer, FrontEndRegistry } from './frontends';
import { analysisOptions, type EinsightSettings } from './settings';
import type { UnitSnapshot } from './snapshot';
import type { Unit } from './units';

export interface AnalysisResult {
  snapshot: UnitSnapshot;
  /** Null when the unit's language has no front end, einsight is disabled, or the analysis failed. */
  analysis: FileAnalysis | null;
  settings: EinsightSettings;
  /** Why the analysis failed, for the log and the status bar. */
  error: string | null;
  durationMs: number;
}

export interface SchedulerHost {
  settingsFor(unit: Unit): Promise<EinsightSettings>;
  /** A fresh result for the unit's current version: publish it. */
  analyzed(unit: Unit, result: AnalysisResult): void;
  analyzing(unit: Unit): void;
  logError(message: string): void;
}

const OUT_OF_SYNC = 'a malformed change left this text out of step with the editor: reopen the file';

/** Delay before analysing an edit that follows a quiet spell. */
const QUIET_EDIT_DELAY_MS = 2;

interface UnitJobs {
  timer: NodeJS.Timeout | null;
  /** When the last change arrived (performance.now()). */
  lastChange: number;
  running: Promise<AnalysisResult | null> | null;
  /** Aborted when an edit makes the running analysis stale. */
  abort: AbortController | null;
  analyzer: Promise<DocumentAnalyzer | null> | null;
  latest: AnalysisResult | null;
}

export class AnalysisScheduler {
  private readonly jobs = new Map<Unit, UnitJobs>();

  constructor(
    private readonly frontEnds: FrontEndRegistry,
    private readonly host: SchedulerHost,
    private readonly debounceMs: number,
  ) {}

  /**
   * The unit changed. An edit after a quiet spell is analysed almost at once (the short delay
   * still folds in messages already queued behind it); an edit inside a burst restarts the
   * debounce, so a burst is analysed once, when it settles.
   */
  schedule(unit: Unit): void {
    const jobs = this.jobsOf(unit);
    jobs.abort?.abort();
    const now = performance.now();
    const quiet = now - jobs.lastChange >= this.debounceMs;
    jobs.lastChange = now;
    if (jobs.timer) clearTimeout(jobs.timer);
    jobs.timer = setTimeout(
      () => {
        jobs.timer = null;
        this.run(unit).catch((error) => this.host.logError(`einsight: analysis of ${unit.key} failed: ${describeError(error)}`));
      },
      quiet ? QUIET_EDIT_DELAY_MS : this.debounceMs,
    );
  }

  /** The analysis of the unit's current version, running it now if needed; null once the unit closed. */
  async current(unit: Unit): Promise<AnalysisResult | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const jobs = this.jobs.get(unit);
      if (!jobs) return null;
      if (jobs.latest && jobs.latest.snapshot.version === unit.version && !jobs.timer) return jobs.latest;
      const result = await this.run(unit);
      if (result && result.snapshot.version === unit.version) return result;
    }
    // Edits kept arriving while we analysed: answer from the newest analysis there is.
    return this.jobs.get(unit)?.latest ?? null;
  }

  /** The last result, whatever version it is for. */
  latest(unit: Unit): AnalysisResult | null {
    return this.jobs.get(unit)?.latest ?? null;
  }

  /** Settings changed: forget results, analyse again. */
  invalidate(unit: Unit): void {
    const jobs = this.jobs.get(unit);
    if (jobs) jobs.latest = null;
    this.schedule(unit);
  }

  close(unit: Unit): void {
    const jobs = this.jobs.get(unit);
    if (!jobs) return;
    this.jobs.delete(unit);
    if (jobs.timer) clearTimeout(jobs.timer);
    jobs.abort?.abort();
    void jobs.analyzer?.then((analyzer) => analyzer?.dispose()).catch(() => undefined);
  }

  private jobsOf(unit: Unit): UnitJobs {
    let jobs = this.jobs.get(unit);
    if (!jobs) {
      jobs = { timer: null, lastChange: -Infinity, running: null, abort: null, analyzer: null, latest: null };
      this.jobs.set(unit, jobs);
    }
    return jobs;
  }

  /** Runs one analysis of the newest text; joins the one already running if it is still current. */
  private async run(unit: Unit): Promise<AnalysisResult | null> {
    const jobs = this.jobs.get(unit);
    if (!jobs) return null;
    if (jobs.timer) {
      clearTimeout(jobs.timer);
      jobs.timer = null;
    }
    while (jobs.running) {
      const result = await jobs.running;
      if (result && result.snapshot.version === unit.version) return result;
      if (this.jobs.get(unit) !== jobs) return null;
    }
    const abort = new AbortController();
    jobs.abort = abort;
    jobs.running = this.analyze(unit, jobs, abort.signal);
    try {
      return await jobs.running;
    } finally {
      jobs.running = null;
      if (jobs.abort === abort) jobs.abort = null;
    }
  }

  private async analyze(unit: Unit, jobs: UnitJobs, signal: AbortSignal): Promise<AnalysisResult | null> {
    this.host.analyzing(unit);
    const settings = await this.host.settingsFor(unit);
    const analyzer = settings.enable ? await this.analyzerFor(unit, jobs) : null;
    if (this.jobs.get(unit) !== jobs) return null;
    // Taken after the awaits: edits that arrived meanwhile are part of this analysis.
    const snapshot = unit.snapshot();
    const started = performance.now();
    let analysis: FileAnalysis | null = null;
    let error: string | null = null;
    if (!unit.inSync) {
      // Findings and fixes for text the editor does not have would point at the wrong code.
      error = OUT_OF_SYNC;
    } else if (analyzer) {
      const edits = unit.takeEdits();
      try {
        analysis = await analyzer.analyze(snapshot.text, edits, analysisOptions(settings), signal);
      } catch (caught) {
        if (signal.aborted) {
          // Stopped part way: whether it applied the edits is unknown, so the next run parses afresh.
          unit.forgetEdits();
          return null;
        }
        error = describeError(caught);
        const version = snapshot.slices.length === 1 ? snapshot.slices[0].version : snapshot.version;
        this.host.logError(`einsight: analysis of ${unit.key} (version ${version}) failed: ${error}`);
        this.resetAnalyzer(unit, jobs);
      }
    }
    const result: AnalysisResult = { snapshot, analysis, settings, error, durationMs: performance.now() - started };
    if (this.jobs.get(unit) !== jobs || signal.aborted) return null;
    jobs.latest = result;
    if (snapshot.version === unit.version) this.host.analyzed(unit, result);
    return result;
  }

  private analyzerFor(unit: Unit, jobs: UnitJobs): Promise<DocumentAnalyzer | null> {
    if (!jobs.analyzer) {
      const frontEnd = this.frontEnds.for(unit.languageId);
      unit.forgetEdits();
      jobs.analyzer = frontEnd
        ? frontEnd.createAnalyzer(unit.languageId).catch((error) => {
            this.host.logError(`einsight: could not start the ${frontEnd.name} front end: ${describeError(error)}`);
            jobs.analyzer = null;
            return null;
          })
        : Promise.resolve(null);
    }
    return jobs.analyzer;
  }

  /** After a crash the analyzer's incremental state is suspect: the next analysis starts afresh. */
  private resetAnalyzer(unit: Unit, jobs: UnitJobs): void {
    const old = jobs.analyzer;
    jobs.analyzer = null;
    unit.forgetEdits();
    void old?.then((analyzer) => analyzer?.dispose()).catch(() => undefined);
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
