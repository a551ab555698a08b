/**
 * The language server's behaviour, one method per LSP message (server.ts only binds them). It
 * owns the document store and the analysis scheduler, publishes diagnostics and status after
 * every analysis, and answers requests from the analysis of the exact version the editor
 * shows. No handler throws: malformed params and unknown documents get an empty answer, and a
 * failure inside a feature is logged and answered the same way.
 */
import {
  CodeActionKind,
  TextDocumentSyncKind,
  type CancellationToken,
  type ClientCapabilities,
  type CodeAction,
  type CodeLens,
  type Hover,
  type InitializeParams,
  type InitializeResult,
  type InlayHint,
  type PublishDiagnosticsParams,
  type Range,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { codeActions, FIX_ALL_KIND, fixAllEdit } from '../features/code-actions';
import { codeLenses } from '../features/code-lens';
import { diagnosticsByDocument } from '../features/diagnostics';
import { hover } from '../features/hover';
import { inlayHints } from '../features/inlay-hints';
import { statusOf, type AnalysisStatus } from '../features/status';
import type { FrontEndRegistry } from '../workspace/frontends';
import { documentUriOf, isRange, isRecord, isTextDocumentPosition, isUri } from '../workspace/guards';
import { AnalysisScheduler, describeError, type AnalysisResult } from '../workspace/scheduler';
import { DocumentStore } from '../workspace/store';
import type { Unit } from '../workspace/units';
import { SettingsSource } from './settings-source';

/** Long enough to fold a burst of edits (a paste, multi-cursor typing), short enough to feel live. */
export const ANALYSIS_DEBOUNCE_MS = 40;

/** Server-side commands (`workspace/executeCommand`). */
export const SERVER_COMMANDS = { fixAll: 'einsight.server.fixAll' } as const;

/** What the service needs from the connection. */
export interface ClientPort {
  publishDiagnostics(params: PublishDiagnosticsParams): void;
  sendStatus(status: AnalysisStatus): void;
  pullSettings(scopeUri: string): Promise<unknown>;
  applyEdit(label: string, edit: WorkspaceEdit): Promise<boolean>;
  refreshInlayHints(): void;
  showWarning(message: string): void;
  log(message: string): void;
  logError(message: string): void;
}

export class LanguageService {
  private readonly store: DocumentStore;
  private readonly scheduler: AnalysisScheduler;
  private settings: SettingsSource | null = null;
  private canRefreshInlayHints = false;
  private versionedEdits = false;
  /** The client shows code actions with `disabled` (LSP 3.16): withheld fixes are listed with their reason. */
  private disabledActions = false;
  /** Languages with a front end: the notebook cells the server asks to be sent. */
  private readonly languages: string[];

  constructor(
    private readonly client: ClientPort,
    frontEnds: FrontEndRegistry,
    debounceMs = ANALYSIS_DEBOUNCE_MS,
  ) {
    this.scheduler = new AnalysisScheduler(
      frontEnds,
      {
        settingsFor: (unit) => this.settingsSource().for(unit.key),
        analyzing: (unit) => this.client.sendStatus(statusOf(unit, null)),
        analyzed: (unit, result) => this.publish(unit, result),
        logError: (message) => this.client.logError(message),
      },
      debounceMs,
    );
    this.store = new DocumentStore(
      {
        opened: (unit) => this.scheduler.schedule(unit),
        changed: (unit) => this.scheduler.schedule(unit),
        closed: (unit, uris) => this.closed(unit, uris),
        cellsRemoved: (_unit, uris) => uris.forEach((uri) => this.client.publishDiagnostics({ uri, diagnostics: [] })),
        warn: (message) => this.client.log(message),
      },
      (languageId) => frontEnds.for(languageId) !== undefined,
    );
    this.languages = frontEnds.languageIds;
  }

  initialize(params: InitializeParams): InitializeResult {
    const capabilities: Partial<ClientCapabilities> = isRecord(params) && isRecord(params.capabilities) ? params.capabilities : {};
    const options = isRecord(params?.initializationOptions) ? params.initializationOptions : {};
    this.settings = new SettingsSource(
      { pull: (uri) => this.client.pullSettings(uri), warn: (message) => this.client.showWarning(message) },
      capabilities.workspace?.configuration === true,
      options.settings,
    );
    this.canRefreshInlayHints = capabilities.workspace?.inlayHint?.refreshSupport === true;
    this.versionedEdits = capabilities.workspace?.workspaceEdit?.documentChanges === true;
    this.disabledActions = capabilities.textDocument?.codeAction?.disabledSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        notebookDocumentSync: { notebookSelector: [{ notebook: '*', cells: this.languages.map((language) => ({ language })) }] },
        hoverProvider: true,
        inlayHintProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: Object.values(SERVER_COMMANDS) },
      },
      serverInfo: { name: 'einsight' },
    };
  }

  didOpenTextDocument = (params: unknown) => this.guard('didOpen', () => this.store.openText(params as never));
  didChangeTextDocument = (params: unknown) => this.guard('didChange', () => this.store.changeText(params as never));
  didCloseTextDocument = (params: unknown) => this.guard('didClose', () => this.store.closeText(params as never));
  didOpenNotebook = (params: unknown) => this.guard('notebook didOpen', () => this.store.openNotebook(params as never));
  didChangeNotebook = (params: unknown) => this.guard('notebook didChange', () => this.store.changeNotebook(params as never));
  didCloseNotebook = (params: unknown) => this.guard('notebook didClose', () => this.store.closeNotebook(params as never));

  didChangeConfiguration(params: unknown): void {
    this.guard('didChangeConfiguration', () => {
      const settings = isRecord(params) && isRecord(params.settings) ? params.settings.einsight : undefined;
      this.settingsSource().changed(settings);
      for (const unit of this.store.all()) this.scheduler.invalidate(unit);
      if (this.canRefreshInlayHints) this.client.refreshInlayHints();
    });
  }

  async hover(params: unknown, token: CancellationToken): Promise<Hover | null> {
    if (!isTextDocumentPosition(params)) return null;
    const result = await this.resultFor(params.textDocument.uri, token);
    return result ? this.guard('hover', () => hover(result, params.textDocument.uri, params.position), null) : null;
  }

  async inlayHints(params: unknown, token: CancellationToken): Promise<InlayHint[]> {
    const uri = documentUriOf(params);
    const range = isRecord(params) ? params.range : undefined;
    if (!uri || !isRange(range)) return [];
    const result = await this.resultFor(uri, token);
    return result ? this.guard('inlayHint', () => inlayHints(result, uri, range), []) : [];
  }

  async codeActions(params: unknown, token: CancellationToken): Promise<CodeAction[]> {
    const uri = documentUriOf(params);
    if (!uri || !isRecord(params) || !isRange(params.range)) return [];
    const result = await this.resultFor(uri, token);
    if (!result || !this.isCurrent(uri, result)) return [];
    const context = isRecord(params.context) ? params.context : {};
    const only = Array.isArray(context.only) ? context.only.filter((k): k is string => typeof k === 'string') : undefined;
    const diagnostics = Array.isArray(context.diagnostics) ? context.diagnostics.filter(isRecord) : [];
    return this.guard(
      'codeAction',
      () => codeActions(result, uri, params.range as Range, { only, diagnostics: diagnostics as never[] }, {
        versioned: this.versionedEdits,
        disabledSupport: this.disabledActions,
      }),
      [],
    );
  }

  async codeLenses(params: unknown, token: CancellationToken): Promise<CodeLens[]> {
    const uri = documentUriOf(params);
    if (!uri) return [];
    const result = await this.resultFor(uri, token);
    return result ? this.guard('codeLens', () => codeLenses(result, uri), []) : [];
  }

  async executeCommand(params: unknown, token: CancellationToken): Promise<unknown> {
    const command = isRecord(params) ? params.command : undefined;
    const args = isRecord(params) && Array.isArray(params.arguments) ? params.arguments : [];
    if (command !== SERVER_COMMANDS.fixAll) {
      this.client.log(`einsight: unknown command ${JSON.stringify(command)}`);
      return null;
    }
    const target: unknown = args[0];
    const uri = isUri(target) ? target : isRecord(target) && isUri(target.uri) ? target.uri : null;
    if (!uri) return { applied: false, reason: 'expected the document uri as the first argument' };
    const result = await this.resultFor(uri, token);
    if (!result || !this.isCurrent(uri, result)) return { applied: false, reason: 'the document is not open or is still changing' };
    const edit = this.guard('fixAll', () => fixAllEdit(result, this.versionedEdits), null);
    if (!edit) return { applied: false, reason: 'nothing to fix' };
    const applied = await this.client.applyEdit('einsight: fix all contractions', edit);
    return { applied };
  }

  /** The analysis of the document's current version; null for an unknown document or a cancelled request. */
  private async resultFor(uri: string, token: CancellationToken): Promise<AnalysisResult | null> {
    const unit = this.store.unitOf(uri);
    if (!unit) return null;
    try {
      const result = await this.scheduler.current(unit);
      return token.isCancellationRequested ? null : result;
    } catch (error) {
      this.client.logError(`einsight: analysis of ${uri} failed: ${describeError(error)}`);
      return null;
    }
  }

  /** Edits are only ever proposed against the exact text they were computed for. */
  private isCurrent(uri: string, result: AnalysisResult): boolean {
    const unit = this.store.unitOf(uri);
    return unit !== undefined && unit.key === result.snapshot.key && unit.version === result.snapshot.version;
  }

  private publish(unit: Unit, result: AnalysisResult): void {
    let diagnostics: Map<string, PublishDiagnosticsParams['diagnostics']>;
    try {
      diagnostics = diagnosticsByDocument(result);
    } catch (error) {
      this.client.logError(`einsight: diagnostics for ${unit.key} failed: ${describeError(error)}`);
      diagnostics = new Map(result.snapshot.slices.map((s) => [s.uri, []]));
    }
    for (const slice of result.snapshot.slices) {
      this.client.publishDiagnostics({ uri: slice.uri, version: slice.version, diagnostics: diagnostics.get(slice.uri) ?? [] });
    }
    this.client.sendStatus(statusOf(unit, result));
  }

  private closed(unit: Unit, uris: string[]): void {
    this.scheduler.close(unit);
    this.settingsSource().forget(unit.key);
    for (const uri of uris) this.client.publishDiagnostics({ uri, diagnostics: [] });
    this.client.sendStatus({ uri: unit.key, documents: uris, state: 'closed', sites: 0, findings: 0, durationMs: 0, message: null });
  }

  private settingsSource(): SettingsSource {
    // A client that skips `initialize` still gets defaults rather than a crash.
    this.settings ??= new SettingsSource({ pull: async () => undefined, warn: (m) => this.client.showWarning(m) }, false, undefined);
    return this.settings;
  }

  private guard<T>(what: string, run: () => T, fallback?: T): T {
    try {
      return run();
    } catch (error) {
      this.client.logError(`einsight: ${what} failed: ${describeError(error)}`);
      return fallback as T;
    }
  }
}
