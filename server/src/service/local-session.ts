/**
 * A document session in this thread: the front end's analyzer for one document (or notebook),
 * its latest analysis, and every feature computed from it. The analysis thread runs these; tests
 * and clients that want no thread use them directly.
 */
import type { CodeAction, Hover, Position, Range, WorkspaceEdit } from 'vscode-languageserver';
import { codeActions, fixAllEdit } from '../features/code-actions';
import { codeLenses } from '../features/code-lens';
import { diagnosticsByDocument, noticeOf, publishedForm } from '../features/diagnostics';
import { hover } from '../features/hover';
import { inlayHints } from '../features/inlay-hints';
import type { StopSignal } from '../analysis/budget';
import type { DocumentAnalyzer, FrontEnd, FrontEndRegistry, SourceEdit } from '../workspace/frontends';
import { describeError, type AnalysisResult } from '../workspace/scheduler';
import type { CodeActionQuery, DocumentSession, RenderedAnalysis, RenderOptions, SessionFactory } from '../workspace/session';
import { analysisOptions, type EinsightSettings } from '../workspace/settings';
import type { UnitSnapshot } from '../workspace/snapshot';
import { observationsForUri } from '../analysis/observed/store';

export function localSessions(frontEnds: FrontEndRegistry): SessionFactory {
  return {
    languageIds: frontEnds.languageIds,
    open: (languageId, options) => new LocalSession(frontEnds.for(languageId), languageId, options),
  };
}

export class LocalSession implements DocumentSession {
  private analyzer: Promise<DocumentAnalyzer | null> | null = null;
  private startError: string | null = null;
  private latest: AnalysisResult | null = null;

  constructor(
    private readonly frontEnd: FrontEnd | undefined,
    private readonly languageId: string,
    private readonly options: RenderOptions,
  ) {}

  async analyze(snapshot: UnitSnapshot, edits: readonly SourceEdit[] | null, settings: EinsightSettings, signal: StopSignal): Promise<RenderedAnalysis> {
    const fresh = this.analyzer === null;
    const analyzer = await this.analyzerOnce();
    const started = performance.now();
    let analysis = null;
    let error: string | null = null;
    if (analyzer) {
      try {
        // A new analyzer has no earlier text for edits to apply to.
        const options = { ...analysisOptions(settings), documentUri: snapshot.key, observed: this.languageId === 'python' ? observationsForUri(snapshot.key) : null };
        analysis = await analyzer.analyze(snapshot.text, fresh ? null : edits, options, signal);
      } catch (caught) {
        if (signal.aborted) {
          this.reset();
          throw caught;
        }
        error = describeError(caught);
        this.reset();
      }
    }
    const result: AnalysisResult = { snapshot, analysis, settings, error, durationMs: performance.now() - started };
    this.latest = result;
    return this.render(result, analyzer === null);
  }

  async hover(version: number, uri: string, position: Position): Promise<Hover | null> {
    const result = this.at(version);
    return result ? hover(result, uri, position) : null;
  }

  async codeActions(version: number, uri: string, range: Range, query: CodeActionQuery): Promise<CodeAction[]> {
    const result = this.at(version);
    return result ? codeActions(result, uri, range, query, query) : [];
  }

  async fixAll(version: number, versioned: boolean): Promise<WorkspaceEdit | null> {
    const result = this.at(version);
    return result ? fixAllEdit(result, versioned) : null;
  }

  dispose(): void {
    const analyzer = this.analyzer;
    this.analyzer = null;
    this.latest = null;
    void analyzer?.then((a) => a?.dispose()).catch(() => undefined);
  }

  private at(version: number): AnalysisResult | null {
    return this.latest?.snapshot.version === version ? this.latest : null;
  }

  private render(result: AnalysisResult, unsupported: boolean): RenderedAnalysis {
    const { snapshot, analysis } = result;
    const uris = snapshot.slices.map((s) => s.uri);
    const diagnostics = diagnosticsByDocument(result);
    return {
      version: snapshot.version,
      state: result.error ? 'failed' : unsupported ? 'unsupported' : 'ready',
      error: result.error ?? (unsupported ? this.startError : null),
      durationMs: result.durationMs,
      sites: analysis?.sites.length ?? 0,
      observed: analysis?.observations ?? null,
      notice: (analysis && noticeOf(analysis)?.reason) ?? null,
      diagnostics: uris.map((uri) => [uri, (diagnostics.get(uri) ?? []).map(publishedForm)]),
      codeLenses: uris.map((uri) => [uri, codeLenses(result, uri, this.options.measureCommand)]),
      inlayHints: uris.map((uri) => [uri, inlayHints(result, uri)]),
    };
  }

  private analyzerOnce(): Promise<DocumentAnalyzer | null> {
    if (!this.analyzer) {
      const frontEnd = this.frontEnd;
      this.startError = null;
      this.analyzer = frontEnd
        ? frontEnd.createAnalyzer(this.languageId).catch((error) => {
            this.startError = `could not start the ${frontEnd.name} front end: ${describeError(error)}`;
            // The next analysis tries again.
            this.analyzer = null;
            return null;
          })
        : Promise.resolve(null);
    }
    return this.analyzer;
  }

  /** After a failure the analyzer's incremental state is suspect: the next analysis starts afresh. */
  private reset(): void {
    const old = this.analyzer;
    this.analyzer = null;
    void old?.then((a) => a?.dispose()).catch(() => undefined);
  }
}
