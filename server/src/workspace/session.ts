/**
 * One open document (or notebook) as the analysis side holds it: its analyzer, its latest
 * analysis, and the answers computed from it. The language service talks to a session only
 * through this interface, so a session can live in this thread (tests, the CLI) or on the
 * analysis thread (the server), where a long analysis never holds up the connection.
 *
 * Everything the editor asks for after each analysis (diagnostics, code lenses, inlay hints,
 * counts for the status bar) comes back at once as a RenderedAnalysis: small, plain data. Hover,
 * code actions and fix-all are computed on request, from the analysis of the version asked about.
 */
import type { CodeAction, CodeLens, Diagnostic, Hover, InlayHint, Position, Range, WorkspaceEdit } from 'vscode-languageserver';
import type { FileAnalysis } from '../analysis/model';
import type { SourceEdit } from './frontends';
import type { EinsightSettings } from './settings';
import type { UnitSnapshot } from './snapshot';

export interface RenderedAnalysis {
  /** The unit version analysed. */
  version: number;
  /** `unsupported`: no front end could analyse this language (`error` says why, when known). */
  state: 'ready' | 'failed' | 'unsupported';
  /** Why the analysis failed (a stack trace), or why the front end did not start. */
  error: string | null;
  /** Time spent analysing, on whichever thread did it. */
  durationMs: number;
  sites: number;
  /** The recordings of `einsight record` the analysis used: matched to sites, and stale; null without any. */
  observed: FileAnalysis['observations'] | null;
  /** Why the file was not analysed, or not fully (`noticeOf`); null when it was. */
  notice: string | null;
  /** Per document of the unit (every one listed, maybe with none). */
  diagnostics: [uri: string, diagnostics: Diagnostic[]][];
  codeLenses: [uri: string, lenses: CodeLens[]][];
  /** Every inlay hint of each document; a request takes those in its range. */
  inlayHints: [uri: string, hints: InlayHint[]][];
}

/** How this client wants what is rendered: fixed for the server's lifetime. */
export interface RenderOptions {
  /** The command a "Measure" code lens runs: the VS Code client's own, or the server's. */
  measureCommand: string;
}

export interface CodeActionQuery {
  only?: string[];
  diagnostics: Diagnostic[];
  /** The client takes versioned `documentChanges`. */
  versioned: boolean;
  /** The client shows code actions with `disabled` (LSP 3.16): withheld fixes are listed with their reason. */
  disabledSupport: boolean;
}

export interface DocumentSession {
  /**
   * Analyses the snapshot's text; `edits` turn the text of the previous call into it (null: parse
   * afresh). Rejects only when `signal` aborts an analysis that can stop part way; any other
   * failure is a `failed` rendering.
   */
  analyze(snapshot: UnitSnapshot, edits: readonly SourceEdit[] | null, settings: EinsightSettings, signal: AbortSignal): Promise<RenderedAnalysis>;
  /** Answers from the analysis of unit version `version`; empty when the session no longer has it. */
  hover(version: number, uri: string, position: Position): Promise<Hover | null>;
  codeActions(version: number, uri: string, range: Range, query: CodeActionQuery): Promise<CodeAction[]>;
  fixAll(version: number, versioned: boolean): Promise<WorkspaceEdit | null>;
  dispose(): void;
}

export interface SessionFactory {
  /** Languages a session can be opened for. */
  readonly languageIds: readonly string[];
  open(languageId: string, options: RenderOptions): DocumentSession;
}
