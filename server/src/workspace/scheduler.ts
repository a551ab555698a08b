/**
 * When analyses run. An edit after a quiet spell is analysed at once; edits in a burst fold into
 * one analysis of the newest text once the burst settles. The pause that ends a burst adapts to
 * the document: a file that takes 200 ms to analyse waits longer between keys than one that
 * takes 5 ms, so typing in a big file does not queue analyses of text already gone. A request
 * that needs the analysis of the version it saw (hover, code actions) runs it at once. Stale
 * work is dropped at every await: an analysis overtaken by an edit is never published. Every
 * failure stays inside its unit: it is logged, the unit's session starts afresh, the server goes on.
 */
import type { FileAnalysis } from '../analysis/model';
import type { DocumentSession, RenderedAnalysis, RenderOptions, SessionFactory } from './session';
import type { EinsightSettings } from './settings';
import type { UnitSnapshot } from './snapshot';
import type { Unit } from './units';

/** What the features compute from: one analysis of one snapshot, under the settings it used. */
export interface AnalysisResult {
  snapshot: UnitSnapshot;
  /** Null when the unit's language has no front end or the analysis failed. */
  analysis: FileAnalysis | null;
  settings: EinsightSettings;
  /** Why the analysis failed, for the log and the status bar. */
  error: string | null;
  durationMs: number;
}

/** One analysed version of a unit, as the connection's thread holds it. */
export interface UnitResult {
  snapshot: UnitSnapshot;
  settings: EinsightSettings;
  rendered: RenderedAnalysis;
  /** The session that can answer requests about this version; null when einsight is off for it. */
  session: DocumentSession | null;
}

export interface SchedulerHost {
  settingsFor(unit: Unit): Promise<EinsightSettings>;
  /** A fresh result for the unit's current version: publish it. */
  analyzed(unit: Unit, result: UnitResult): void;
  analyzing(unit: Unit): void;
  logError(message: string): void;
}

const OUT_OF_SYNC = 'a malformed change left this text out of step with the editor: reopen the file';

/** Delay before analysing an edit that follows a quiet spell: folds in messages already queued behind it. */
const QUIET_EDIT_DELAY_MS = 2;
/** Bounds of the pause that ends a burst of edits. */
export const MIN_SETTLE_MS = 40;
const MAX_SETTLE_MS = 150;

interface UnitJobs {
  timer: NodeJS.Timeout | null;
  /** When the last change arrived (performance.now()). */
  lastChange: number;
  running: Promise<UnitResult | null> | null;
  /** Aborted when an edit makes the running analysis stale. */
  abort: AbortController | null;
  session: DocumentSession | null;
  latest: UnitResult | null;
  /** The last analysis times of this unit, newest last: they set the pause that ends a burst. */
  durations: number[];
  /** Requests waiting for the analysis of a version already scheduled. */
  waiters: { version: number; resolve: (result: UnitResult | null) => void }[];
}

export class AnalysisScheduler {
  private readonly jobs = new Map<Unit, UnitJobs>();

  constructor(
    private readonly sessions: SessionFactory,
    /** Known once the client has said what it can do (`initialize`). */
    private readonly renderOptions: () => RenderOptions,
    private readonly host: SchedulerHost,
    /** The shortest pause that ends a burst; a slow document's is longer. */
    private readonly minSettleMs = MIN_SETTLE_MS,
  ) {}

  /**
   * The unit changed. An edit after a quiet spell is analysed almost at once; an edit inside a
   * burst restarts the pause, so a burst is analysed once, when it settles.
   */
  schedule(unit: Unit): void {
    const jobs = this.jobsOf(unit);
    jobs.abort?.abort();
    answerWaiters(jobs, unit, null);
    const now = performance.now();
    const settle = this.settleMs(jobs);
    const quiet = now - jobs.lastChange >= settle;
    jobs.lastChange = now;
    if (jobs.timer) clearTimeout(jobs.timer);
    jobs.timer = setTimeout(
      () => {
        jobs.timer = null;
        this.run(unit).catch((error) => {
          this.host.logError(`einsight: analysis of ${unit.key} failed: ${describeError(error)}`);
          // No result is coming for this version: the requests waiting for it get none.
          for (const waiter of jobs.waiters.splice(0)) waiter.resolve(null);
        });
      },
      quiet ? QUIET_EDIT_DELAY_MS : settle,
    );
  }

  /**
   * The pause that ends a burst: half the document's typical analysis time (the median of the
   * last few), within bounds. An edit inside it restarts it, so a burst in a slow file is not
   * analysed key by key (each analysis would be of text already gone, and would cost the
   * editor a redraw of its diagnostics); an analysis still running when a key comes is told to
   * stop early, so at most one runs and one waits. Half, not all of it: the time from the last
   * key to its diagnostics is this pause plus one analysis, and stopping early makes an
   * analysis that turns out stale cheap.
   */
  settleMs(jobs: { durations: number[] }): number {
    if (jobs.durations.length === 0) return this.minSettleMs;
    const sorted = [...jobs.durations].sort((a, b) => a - b);
    const typical = sorted[Math.floor(sorted.length / 2)];
    return Math.min(MAX_SETTLE_MS, Math.max(this.minSettleMs, typical / 2));
  }

  /**
   * The analysis of the unit's version `version` (its current one when it is asked), running it
   * now if needed; null once the unit closed or moved past that version: an answer computed
   * for newer text would point at the wrong places in the text the request was about.
   */
  async at(unit: Unit, version = unit.version): Promise<UnitResult | null> {
    for (;;) {
      const jobs = this.jobs.get(unit);
      if (!jobs || unit.version !== version) return null;
      if (jobs.latest && jobs.latest.snapshot.version === version && !jobs.timer) return jobs.latest;
      // The analysis of this version is on its way (after the pause, or running): wait for it
      // rather than start one now. Editors ask for code actions, lenses and hints after every
      // key; starting an analysis for each would undo the pause and keep the CPU busy while typing.
      if (jobs.timer || jobs.running) return new Promise((resolve) => jobs.waiters.push({ version, resolve }));
      const result = await this.run(unit);
      if (result) return result.snapshot.version === version ? result : null;
      // Stopped part way by a new analysis of the same text (settings, environment, workspace
      // index): wait for that one rather than answer nothing.
    }
  }

  /** The last result, whatever version it is for. */
  latest(unit: Unit): UnitResult | null {
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
    jobs.session?.dispose();
    for (const waiter of jobs.waiters.splice(0)) waiter.resolve(null);
  }

  private jobsOf(unit: Unit): UnitJobs {
    let jobs = this.jobs.get(unit);
    if (!jobs) {
      jobs = { timer: null, lastChange: -Infinity, running: null, abort: null, session: null, latest: null, durations: [], waiters: [] };
      this.jobs.set(unit, jobs);
    }
    return jobs;
  }

  /** Runs one analysis of the newest text; joins the one already running if it is still current. */
  private async run(unit: Unit): Promise<UnitResult | null> {
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

  private async analyze(unit: Unit, jobs: UnitJobs, signal: AbortSignal): Promise<UnitResult | null> {
    this.host.analyzing(unit);
    const settings = await this.host.settingsFor(unit);
    if (this.jobs.get(unit) !== jobs) return null;
    // Taken after the await: edits that arrived meanwhile are part of this analysis.
    const snapshot = unit.snapshot();
    let rendered: RenderedAnalysis;
    let session: DocumentSession | null = null;
    if (!settings.enable) {
      rendered = emptyRendering(snapshot, 'ready', null);
    } else if (!unit.inSync) {
      // Findings and fixes for text the editor does not have would point at the wrong code.
      rendered = emptyRendering(snapshot, 'failed', OUT_OF_SYNC);
    } else {
      session = this.sessionOf(unit, jobs);
      try {
        rendered = await session.analyze(snapshot, unit.takeEdits(), settings, signal);
      } catch (error) {
        if (!signal.aborted) throw error;
        // Stopped part way: whether it applied the edits is unknown, so the next run parses afresh.
        unit.forgetEdits();
        return null;
      }
      if (rendered.state === 'failed') this.logFailure(unit, snapshot, rendered.error);
      else if (rendered.state === 'unsupported' && rendered.error) this.host.logError(`einsight: ${rendered.error}`);
      else remember(jobs.durations, rendered.durationMs);
    }
    const result: UnitResult = { snapshot, settings, rendered, session };
    if (this.jobs.get(unit) !== jobs || signal.aborted) return null;
    jobs.latest = result;
    if (snapshot.version === unit.version) this.host.analyzed(unit, result);
    answerWaiters(jobs, unit, result);
    return result;
  }

  private sessionOf(unit: Unit, jobs: UnitJobs): DocumentSession {
    if (!jobs.session) {
      jobs.session = this.sessions.open(unit.languageId, this.renderOptions());
      // A new session has no earlier text for edits to apply to.
      unit.forgetEdits();
    }
    return jobs.session;
  }

  /** The session starts afresh after a failure: its incremental state is suspect. */
  private logFailure(unit: Unit, snapshot: UnitSnapshot, error: string | null): void {
    const version = snapshot.slices.length === 1 ? snapshot.slices[0].version : snapshot.version;
    this.host.logError(`einsight: analysis of ${unit.key} (version ${version}) failed: ${error}`);
  }
}

/**
 * Answers the requests waiting on this unit: those for `result`'s version with it, those for a
 * version the unit has moved past with null (their answer would point at text gone); the rest
 * wait on.
 */
function answerWaiters(jobs: UnitJobs, unit: Unit, result: UnitResult | null): void {
  jobs.waiters = jobs.waiters.filter((waiter) => {
    if (result && waiter.version === result.snapshot.version) waiter.resolve(result);
    else if (waiter.version !== unit.version) waiter.resolve(null);
    else return true;
    return false;
  });
}

/** How many recent analysis times set the pause. */
const DURATIONS_KEPT = 5;

function remember(durations: number[], durationMs: number): void {
  durations.push(durationMs);
  if (durations.length > DURATIONS_KEPT) durations.shift();
}

/** A rendering with nothing in it, for a unit that is not analysed (einsight off, or out of step). */
export function emptyRendering(snapshot: UnitSnapshot, state: RenderedAnalysis['state'], error: string | null): RenderedAnalysis {
  const none = <T>() => snapshot.slices.map((s): [string, T[]] => [s.uri, []]);
  return { version: snapshot.version, state, error, durationMs: 0, sites: 0, notice: null, observed: null, diagnostics: none(), codeLenses: none(), inlayHints: none() };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
