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
import { FIX_ALL_KIND } from '../features/code-actions';
import { hintsIn } from '../features/inlay-hints';
import { statusOf, type AnalysisStatus } from '../features/status';
import { documentUriOf, isPosition, isRange, isRecord, isTextDocumentPosition, isUri } from '../workspace/guards';
import { AnalysisScheduler, describeError, MIN_SETTLE_MS, type UnitResult } from '../workspace/scheduler';
import type { RenderOptions, SessionFactory } from '../workspace/session';
import { DocumentStore } from '../workspace/store';
import type { Unit } from '../workspace/units';
import { measureAt, type MeasureAnswer } from './measure-command';
import { ObservedFiles } from './observed-files';
import { SERVER_VERSION } from './version';
import type { EinsightSettings } from '../workspace/settings';
import { PublishedDiagnostics } from './published';
import { SettingsSource } from './settings-source';
import { DocumentContext } from '../environment/document-context';

/** The VS Code client's measure command (a results panel); other clients get the server's. */
const CLIENT_MEASURE_COMMAND = 'einsight.measure';

/** An analysis this slow is logged at the info level. */
const SLOW_ANALYSIS_MS = 1000;

/** Notebooks saved as files, or not saved yet: a notebook's diff view is not analysed. */
const NOTEBOOK_SCHEMES = ['file', 'untitled'];

/** Server-side commands (`workspace/executeCommand`). */
export const SERVER_COMMANDS = { fixAll: 'einsight.server.fixAll', measure: 'einsight.server.measure' } as const;

/** What the service needs from the connection. */
export interface ClientPort {
  publishDiagnostics(params: PublishDiagnosticsParams): void;
  /** `client/registerCapability` of `workspace/didChangeWatchedFiles` for one glob pattern. */
  watchFiles(globPattern: string): Promise<void>;
  sendStatus(status: AnalysisStatus): void;
  pullSettings(scopeUri: string): Promise<unknown>;
  applyEdit(label: string, edit: WorkspaceEdit): Promise<boolean>;
  refreshInlayHints(): void;
  showWarning(message: string): void;
  showInformation(message: string): void;
  /** `window/showDocument`: true when the client opened it. */
  showDocument(uri: string): Promise<boolean>;
  log(message: string): void;
  /** Shown only when the client's log level asks for detail (per-analysis timings). */
  debug(message: string): void;
  logError(message: string): void;
}

/** Resolves (with null) when the client cancels: the answer goes out at once, the analysis goes on. */
function cancelled(token: CancellationToken): Promise<null> {
  return new Promise((resolve) => {
    if (token.isCancellationRequested) resolve(null);
    else token.onCancellationRequested(() => resolve(null));
  });
}

export class LanguageService {
  private readonly store: DocumentStore;
  private readonly scheduler: AnalysisScheduler;
  private readonly published: PublishedDiagnostics;
  private settings: SettingsSource | null = null;
  private canRefreshInlayHints = false;
  private versionedEdits = false;
  /** The client shows code actions with `disabled` (LSP 3.16): withheld fixes are listed with their reason. */
  private disabledActions = false;
  private canShowDocuments = false;
  private renderOptions: RenderOptions = { measureCommand: SERVER_COMMANDS.measure };
  private capabilities: Partial<ClientCapabilities> = {};
  /** New recordings of `einsight record` re-analyse the open documents. */
  private readonly observedFiles: ObservedFiles;
  /** Languages with a front end: the notebook cells the server asks to be sent. */
  private readonly languages: readonly string[];
  /** Each document's project: test code, the Python environment, pyproject.toml's [tool.einsight]. */
  private readonly loggedEnvironments = new Set<string>();
  private readonly documents = new DocumentContext(() => this.guard('environment answer', () => this.analyseAllAgain()));

  constructor(
    private readonly client: ClientPort,
    sessions: SessionFactory,
    minSettleMs = MIN_SETTLE_MS,
  ) {
    this.published = new PublishedDiagnostics((params) => this.client.publishDiagnostics(params));
    this.observedFiles = new ObservedFiles({
      register: (glob) => this.client.watchFiles(glob),
      changed: () => this.reanalyseAll(),
      log: (message) => this.client.log(message),
    });
    this.scheduler = new AnalysisScheduler(
      sessions,
      () => this.renderOptions,
      {
        settingsFor: async (unit) => this.logEnvironment(this.documents.with(unit.key, await this.settingsSource().for(unit.key))),
        analyzing: (unit) => this.client.sendStatus(statusOf(unit, null)),
        analyzed: (unit, result) => this.publish(unit, result),
        logError: (message) => this.client.logError(message),
      },
      minSettleMs,
    );
    this.languages = sessions.languageIds;
    this.store = new DocumentStore(
      {
        opened: (unit) => {
          this.observedFiles.opened(unit.key);
          this.scheduler.schedule(unit);
        },
        changed: (unit) => this.scheduler.schedule(unit),
        closed: (unit, uris) => this.closed(unit, uris),
        cellsRemoved: (_unit, uris) => uris.forEach((uri) => this.published.clear(uri)),
        warn: (message) => this.client.log(message),
      },
      (languageId) => this.languages.includes(languageId),
    );
  }

  initialize(params: InitializeParams): InitializeResult {
    const capabilities: Partial<ClientCapabilities> = isRecord(params) && isRecord(params.capabilities) ? params.capabilities : {};
    this.capabilities = capabilities;
    const options = isRecord(params?.initializationOptions) ? params.initializationOptions : {};
    this.settings = new SettingsSource(
      {
        pull: (uri) => this.client.pullSettings(uri),
        warn: (message) => this.client.showWarning(message),
        log: (message) => this.client.log(message),
        refreshed: () => this.guard('late settings', () => this.analyseAllAgain()),
      },
      capabilities.workspace?.configuration === true,
      options.einsight,
    );
    this.documents.setWorkspaceFolders(workspaceFolderUris(params));
    if (typeof options.pythonInterpreter === 'string') this.documents.setSelectedInterpreter(options.pythonInterpreter);
    this.canRefreshInlayHints = capabilities.workspace?.inlayHint?.refreshSupport === true;
    this.versionedEdits = capabilities.workspace?.workspaceEdit?.documentChanges === true;
    this.disabledActions = capabilities.textDocument?.codeAction?.disabledSupport === true;
    this.canShowDocuments = capabilities.window?.showDocument?.support === true;
    this.renderOptions = { measureCommand: clientRuns(capabilities, CLIENT_MEASURE_COMMAND) ? CLIENT_MEASURE_COMMAND : SERVER_COMMANDS.measure };
    this.client.log(startupLine(params));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        notebookDocumentSync: { notebookSelector: NOTEBOOK_SCHEMES.map((scheme) => ({ notebook: { scheme }, cells: this.languages.map((language) => ({ language })) })) },
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

  /** The client is ready for requests from the server: ask it to watch the recordings. */
  initialized(): void {
    this.guard('initialized', () => this.observedFiles.start(this.capabilities));
  }

  didChangeWatchedFiles(params: unknown): void {
    this.guard('didChangeWatchedFiles', () => this.observedFiles.didChangeWatchedFiles(params));
  }

  didChangeConfiguration(params: unknown): void {
    this.guard('didChangeConfiguration', () => {
      const settings = isRecord(params) && isRecord(params.settings) ? params.settings.einsight : undefined;
      this.settingsSource().changed(settings);
      this.documents.refresh();
      this.analyseAllAgain();
    });
  }

  /** `einsight/pythonInterpreter`: the interpreter the client's Python extension selected (null: none). */
  pythonInterpreter(params: unknown): void {
    this.guard('pythonInterpreter', () => {
      const path = isRecord(params) && typeof params.path === 'string' && params.path !== '' ? params.path : null;
      this.documents.setSelectedInterpreter(path);
      this.analyseAllAgain();
    });
  }

  /** The workspace index is complete: what was analysed before it may now know more. */
  workspaceIndexed(): void {
    this.guard('workspace indexed', () => this.analyseAllAgain());
  }

  /** Each Python environment the analyses use, once, in the log: what a bug report needs. */
  private logEnvironment(settings: EinsightSettings): EinsightSettings {
    const environment = settings.document?.environment;
    if (!environment) return settings;
    const versions = Object.entries(environment.versions).map(([name, version]) => `${name} ${version ?? 'not installed'}`);
    const line = `einsight: Python environment (${environment.source === 'interpreter' ? 'asked of' : 'declared in'} ${environment.detail}): ${versions.join(', ')}`;
    if (!this.loggedEnvironments.has(line)) {
      this.loggedEnvironments.add(line);
      this.client.log(line);
    }
    return settings;
  }

  private analyseAllAgain(): void {
    for (const unit of this.store.all()) this.scheduler.invalidate(unit);
    if (this.canRefreshInlayHints) this.client.refreshInlayHints();
  }

  async hover(params: unknown, token: CancellationToken): Promise<Hover | null> {
    if (!isTextDocumentPosition(params)) return null;
    const found = await this.resultFor(params.textDocument.uri, token);
    if (!found?.session) return null;
    return this.ask('hover', token, found.session.hover(found.snapshot.version, params.textDocument.uri, params.position), null);
  }

  async inlayHints(params: unknown, token: CancellationToken): Promise<InlayHint[]> {
    const uri = documentUriOf(params);
    const range = isRecord(params) ? params.range : undefined;
    if (!uri || !isRange(range)) return [];
    const found = await this.resultFor(uri, token);
    const hints = found?.rendered.inlayHints.find(([of]) => of === uri)?.[1] ?? [];
    return this.guard('inlayHint', () => hintsIn(hints, range), []);
  }

  async codeActions(params: unknown, token: CancellationToken): Promise<CodeAction[]> {
    const uri = documentUriOf(params);
    if (!uri || !isRecord(params) || !isRange(params.range)) return [];
    const found = await this.resultFor(uri, token);
    if (!found?.session) return [];
    const context = isRecord(params.context) ? params.context : {};
    const only = Array.isArray(context.only) ? context.only.filter((k): k is string => typeof k === 'string') : undefined;
    const diagnostics = Array.isArray(context.diagnostics) ? context.diagnostics.filter(isRecord) : [];
    const query = { only, diagnostics: diagnostics as never[], versioned: this.versionedEdits, disabledSupport: this.disabledActions };
    return this.ask('codeAction', token, found.session.codeActions(found.snapshot.version, uri, params.range as Range, query), []);
  }

  async codeLenses(params: unknown, token: CancellationToken): Promise<CodeLens[]> {
    const uri = documentUriOf(params);
    if (!uri) return [];
    const found = await this.resultFor(uri, token);
    return found?.rendered.codeLenses.find(([of]) => of === uri)?.[1] ?? [];
  }

  async executeCommand(params: unknown, token: CancellationToken): Promise<unknown> {
    const command = isRecord(params) ? params.command : undefined;
    const args = isRecord(params) && Array.isArray(params.arguments) ? params.arguments : [];
    const target: unknown = args[0];
    const uri = isUri(target) ? target : isRecord(target) && isUri(target.uri) ? target.uri : null;
    switch (command) {
      case SERVER_COMMANDS.fixAll:
        return this.fixAll(uri, token);
      case SERVER_COMMANDS.measure:
        return this.measure(uri, args[1], token);
      default:
        this.client.log(`einsight: unknown command ${JSON.stringify(command)}`);
        return null;
    }
  }

  private async fixAll(uri: string | null, token: CancellationToken): Promise<{ applied: boolean; reason?: string }> {
    if (!uri) return { applied: false, reason: 'expected the document uri as the first argument' };
    const found = await this.resultFor(uri, token);
    if (!found) return { applied: false, reason: 'the document is not open or is still changing' };
    const edit = found.session ? await this.ask('fixAll', token, found.session.fixAll(found.snapshot.version, this.versionedEdits), null) : null;
    if (!edit) return { applied: false, reason: 'nothing to fix' };
    const applied = await this.client.applyEdit('einsight: fix all contractions', edit);
    return { applied };
  }

  /** Measures the call at a position: a markdown report, also opened in the client where it can. */
  private async measure(uri: string | null, position: unknown, token: CancellationToken): Promise<MeasureAnswer | null> {
    const unit = uri ? this.store.unitOf(uri) : undefined;
    if (!uri || !unit || !isPosition(position)) {
      this.client.showWarning('einsight: measure needs an open document and a position (the arguments of the Measure lens)');
      return null;
    }
    const answer = await measureAt(unit.snapshot(), uri, position, await this.settingsSource().for(unit.key), token);
    this.client.log(answer.summary);
    if (answer.file && this.canShowDocuments && (await this.client.showDocument(answer.file))) return answer;
    this.client.showInformation(answer.summary);
    return answer;
  }

  /**
   * The analysis of the document as the request saw it; null for an unknown document, a
   * cancelled request, or a document that changed meanwhile (the client asks again).
   */
  private async resultFor(uri: string, token: CancellationToken): Promise<UnitResult | null> {
    const unit = this.store.unitOf(uri);
    if (!unit) return null;
    try {
      const result = await Promise.race([this.scheduler.at(unit), cancelled(token)]);
      return token.isCancellationRequested ? null : result;
    } catch (error) {
      this.client.logError(`einsight: analysis of ${uri} failed: ${describeError(error)}`);
      return null;
    }
  }

  /** A session's answer, or `fallback` when it fails (logged) or the client cancels first. */
  private async ask<T>(what: string, token: CancellationToken, answer: Promise<T>, fallback: T): Promise<T> {
    try {
      const result = await Promise.race([answer, cancelled(token)]);
      return token.isCancellationRequested || result === null ? fallback : (result as T);
    } catch (error) {
      this.client.logError(`einsight: ${what} failed: ${describeError(error)}`);
      return fallback;
    }
  }

  private publish(unit: Unit, result: UnitResult): void {
    let changed = 0;
    for (const [uri, diagnostics] of result.rendered.diagnostics) {
      const slice = result.snapshot.slice(uri);
      if (this.published.publish(uri, slice?.version, diagnostics)) changed++;
    }
    const status = statusOf(unit, result);
    this.client.sendStatus(status);
    const { durationMs, state } = result.rendered;
    if (state !== 'ready' || !result.settings.enable) return;
    const line =
      `einsight: analysed ${unit.key} (version ${result.snapshot.version}) in ${Math.round(durationMs)} ms: ` +
      `${status.sites} contraction${status.sites === 1 ? '' : 's'}, ${status.findings} finding${status.findings === 1 ? '' : 's'}` +
      `${changed === 0 ? ', diagnostics unchanged' : ''}`;
    // Every analysis at the debug level; a slow one always, since it is what a user would look for.
    if (durationMs >= SLOW_ANALYSIS_MS) this.client.log(`${line} (slow: the pause after typing stretches to match)`);
    else this.client.debug(line);
  }

  private closed(unit: Unit, uris: string[]): void {
    this.scheduler.close(unit);
    this.settingsSource().forget(unit.key);
    for (const uri of uris) this.published.clear(uri);
    this.client.sendStatus({ uri: unit.key, documents: uris.map((uri) => ({ uri, version: null })), languageId: unit.languageId, state: 'closed', sites: 0, findings: 0, errors: 0, durationMs: 0, message: null, observed: null });
  }

  private reanalyseAll(): void {
    for (const unit of this.store.all()) this.scheduler.invalidate(unit);
    if (this.canRefreshInlayHints) this.client.refreshInlayHints();
  }

  private settingsSource(): SettingsSource {
    // A client that skips `initialize` still gets defaults rather than a crash.
    this.settings ??= new SettingsSource({ pull: async () => undefined, warn: (m) => this.client.showWarning(m), log: (m) => this.client.log(m) }, false, undefined);
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

/** What the log says first: which server, on which runtime, for which client. */
function startupLine(params: InitializeParams): string {
  const clientInfo: Record<string, unknown> = isRecord(params) && isRecord(params.clientInfo) ? params.clientInfo : {};
  const clientName = typeof clientInfo.name === 'string' ? `${clientInfo.name}${typeof clientInfo.version === 'string' ? ` ${clientInfo.version}` : ''}` : 'an unnamed client';
  return `einsight language server ${SERVER_VERSION} (Node ${process.versions.node}, pid ${process.pid}) for ${clientName}; analyses run on their own thread`;
}

/**
 * Whether the client runs `command` itself. Only the VS Code client does, and says so in its
 * capabilities (`experimental.einsight.commands`); any other client gets the server's commands.
 */
function clientRuns(capabilities: Partial<ClientCapabilities>, command: string): boolean {
  const experimental = capabilities.experimental;
  const einsight = isRecord(experimental) && isRecord(experimental.einsight) ? experimental.einsight : {};
  return Array.isArray(einsight.commands) && einsight.commands.includes(command);
}

/** The workspace folders' URIs (or the root's, from older clients). */
function workspaceFolderUris(params: InitializeParams): string[] {
  const folders = isRecord(params) && Array.isArray(params.workspaceFolders) ? params.workspaceFolders : [];
  const uris = folders.map((f) => (isRecord(f) && typeof f.uri === 'string' ? f.uri : null)).filter((u): u is string => u !== null);
  if (uris.length === 0 && isRecord(params) && typeof params.rootUri === 'string') uris.push(params.rootUri);
  return uris;
}
