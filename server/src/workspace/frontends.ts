/**
 * Front ends by language id. The document store asks this registry for an analyzer when a
 * document (or notebook) opens, so a new language (the TypeScript front end) plugs in with one
 * `register` call and no change to the store, the scheduler or any feature.
 */
import type { StopSignal } from '../analysis/budget';
import type { AnalysisOptions, FileAnalysis } from '../analysis/model';

/** `[start, end)` of the previous text replaced by `text`: how an analyzer re-parses incrementally. */
export interface SourceEdit {
  start: number;
  end: number;
  text: string;
}

/** Analyses one document (or one notebook's cells) version after version; may keep parse state. */
export interface DocumentAnalyzer {
  /**
   * Analyses `text`. `edits`, when given, turn the text of the previous call into `text`, in
   * order; null asks for a parse from scratch. Once `signal` is aborted the text has changed
   * again and the result will be dropped: an asynchronous analyzer may reject, a synchronous one
   * may stop early (applying the edits all the same).
   */
  analyze(
    text: string,
    edits: readonly SourceEdit[] | null,
    options: AnalysisOptions,
    signal: StopSignal,
  ): FileAnalysis | Promise<FileAnalysis>;
  dispose(): void;
}

export interface FrontEnd {
  /** For logs and the status bar, e.g. `Python`. */
  name: string;
  languageIds: readonly string[];
  /** An analyzer for one document or notebook in `languageId` (one of `languageIds`). */
  createAnalyzer(languageId: string): Promise<DocumentAnalyzer>;
}

export class FrontEndRegistry {
  private readonly byLanguage = new Map<string, FrontEnd>();

  register(frontEnd: FrontEnd): void {
    for (const id of frontEnd.languageIds) this.byLanguage.set(id, frontEnd);
  }

  for(languageId: string): FrontEnd | undefined {
    return this.byLanguage.get(languageId);
  }

  /** Each front end once, in the order registered. */
  all(): FrontEnd[] {
    return [...new Set(this.byLanguage.values())];
  }

  get languageIds(): string[] {
    return [...this.byLanguage.keys()];
  }
}
