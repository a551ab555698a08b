/**
 * A real einsight language server in a child process, spoken to over stdio by a protocol
 * client (vscode-languageserver-protocol + vscode-jsonrpc), as an editor would. Tests and the
 * LSP benchmark drive it through these helpers and read back what the server pushed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ApplyWorkspaceEditParams,
  type ClientCapabilities,
  type CodeAction,
  type CodeLens,
  type Diagnostic,
  type Hover,
  type InlayHint,
  type Position,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';

export const SERVER_MODULE = require.resolve('einsight-server/server');

export interface StartOptions {
  /** The `einsight` section answered to `workspace/configuration` (and sent on init when not pulled). */
  settings?: Record<string, unknown>;
  /** Answer `workspace/configuration` (default true): false tests the push model. */
  pullSettings?: boolean;
  /** Claim `workspace/configuration` but leave each request unanswered until this resolves (a hung client). */
  holdConfiguration?: Promise<void>;
  /** Versioned `documentChanges` in workspace edits (default true). */
  documentChanges?: boolean;
  /** Answer for `workspace/applyEdit`. */
  applyEdits?: boolean;
  /** The client shows code actions with `disabled` (default true, as VS Code does). */
  disabledSupport?: boolean;
  /** `capabilities.experimental`, as the VS Code client sends it (`{ einsight: { commands: [...] } }`). */
  experimental?: Record<string, unknown>;
  /** The server's command line (default: this checkout's compiled server, `--stdio`). */
  command?: string[];
  /** Workspace folder URIs sent with `initialize` (the server indexes their Python files). */
  workspaceFolders?: string[];
  /** Let the server register file watchers (`workspace.didChangeWatchedFiles.dynamicRegistration`). */
  watchFiles?: boolean;
}

export interface StatusNotification {
  uri: string;
  documents: { uri: string; version: number | null }[];
  languageId: string;
  state: string;
  sites: number;
  findings: number;
  errors: number;
  durationMs: number;
  message: string | null;
  observed?: { source: string; matched: number; stale: number } | null;
}

/** States that end an analysis: the documents listed show what that version's analysis found. */
const ANALYSED = new Set(['ready', 'failed', 'disabled', 'unsupported']);

const REFRESH_REQUESTS = ['workspace/inlayHint/refresh', 'workspace/codeLens/refresh', 'workspace/semanticTokens/refresh', 'workspace/diagnostic/refresh', 'workspace/inlineValue/refresh'];

type Waiter<T> = { accept: (value: T) => boolean; resolve: (value: T) => void };

export class LspTestClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every publication, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** The last version of each document the server said it analysed. */
  readonly analysed = new Map<string, number>();
  readonly statuses: StatusNotification[] = [];
  readonly appliedEdits: ApplyWorkspaceEditParams[] = [];
  readonly messages: { type: number; message: string }[] = [];
  readonly logs: string[] = [];
  readonly configurationRequests: unknown[] = [];
  /** `$/progress` notifications (work-done progress: `begin`, `report`, `end`), in order. */
  readonly progress: { token: unknown; value: { kind: string; title?: string; message?: string; percentage?: number } }[] = [];
  /** Refresh requests (`workspace/inlayHint/refresh`, …), by method, in order. */
  readonly refreshRequests: string[] = [];
  /** `client/registerCapability` requests, as sent. */
  readonly registrations: unknown[] = [];
  settings: Record<string, unknown>;
  /** The server's answer to `initialize`. */
  initializeResult: unknown = null;
  private diagnosticWaiters: Waiter<PublishDiagnosticsParams>[] = [];
  /** Waiting for a version's diagnostics, published or confirmed unchanged by a status. */
  private versionWaiters: Waiter<PublishDiagnosticsParams>[] = [];
  private statusWaiters: Waiter<StatusNotification>[] = [];
  private stderr = '';
  private exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
    options: StartOptions,
  ) {
    this.settings = options.settings ?? {};
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.diagnostics.set(params.uri, params);
      this.published.push(params);
      this.diagnosticWaiters = this.diagnosticWaiters.filter((w) => (w.accept(params) ? (w.resolve(params), false) : true));
    });
    connection.onNotification('einsight/status', (status: StatusNotification) => {
      this.statuses.push(status);
      if (status.state === 'closed') for (const { uri } of status.documents) this.analysed.delete(uri);
      if (ANALYSED.has(status.state)) {
        for (const { uri, version } of status.documents) {
          if (version === null) continue;
          this.analysed.set(uri, version);
          // Unchanged diagnostics are not published again: what the document shows is now this version's.
          const shown = this.diagnostics.get(uri) ?? { uri, diagnostics: [] };
          const current = { ...shown, version };
          this.versionWaiters = this.versionWaiters.filter((w) => (w.accept(current) ? (w.resolve(current), false) : true));
        }
      }
      this.statusWaiters = this.statusWaiters.filter((w) => (w.accept(status) ? (w.resolve(status), false) : true));
    });
    connection.onNotification('window/showMessage', (m: { type: number; message: string }) => void this.messages.push(m));
    connection.onNotification('window/logMessage', (m: { message: string }) => void this.logs.push(m.message));
    connection.onRequest('workspace/configuration', async (params: { items: unknown[] }) => {
      this.configurationRequests.push(params);
      await options.holdConfiguration;
      return params.items.map(() => this.settings);
    });
    connection.onRequest('workspace/applyEdit', (params: ApplyWorkspaceEditParams) => {
      this.appliedEdits.push(params);
      return { applied: options.applyEdits ?? true };
    });
    // Each refresh has the editor ask again for every visible document's hints, lenses, …
    for (const method of REFRESH_REQUESTS) {
      connection.onRequest(method, () => {
        this.refreshRequests.push(method);
        return null;
      });
    }
    connection.onRequest('client/registerCapability', (params: unknown) => {
      this.registrations.push(params);
      return null;
    });
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onNotification('$/progress', (params: LspTestClient['progress'][number]) => void this.progress.push(params));
    connection.listen();
  }

  /**
   * CPU time the server process has used so far (all its threads, user and system), from
   * /proc on Linux (in its 10 ms ticks); null elsewhere. Benchmarks on a shared machine compare
   * this rather than wall time.
   */
  serverCpuMs(): number | null {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return null;
    }
  }

  static async start(options: StartOptions = {}): Promise<LspTestClient> {
    const [executable, ...args] = options.command ?? [process.execPath, SERVER_MODULE, '--stdio'];
    const child = spawn(executable, args, { stdio: 'pipe' });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new LspTestClient(child, connection, options);
    const pull = options.pullSettings ?? true;
    const capabilities: ClientCapabilities = {
      workspace: {
        configuration: pull,
        applyEdit: true,
        workspaceEdit: { documentChanges: options.documentChanges ?? true },
        inlayHint: { refreshSupport: true },
        ...(options.watchFiles ? { didChangeWatchedFiles: { dynamicRegistration: true } } : {}),
      },
      textDocument: {
        publishDiagnostics: { versionSupport: true, relatedInformation: true, codeDescriptionSupport: true, dataSupport: true },
        hover: { contentFormat: ['markdown'] },
        codeAction: { disabledSupport: options.disabledSupport ?? true },
      },
      notebookDocument: { synchronization: {} },
      window: { workDoneProgress: true },
      ...(options.experimental ? { experimental: options.experimental } : {}),
    };
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      ...(options.workspaceFolders ? { workspaceFolders: options.workspaceFolders.map((uri, i) => ({ uri, name: `folder${i}` })) } : {}),
      capabilities,
      initializationOptions: pull ? {} : { einsight: options.settings ?? {} },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  /** `workspace/didChangeWatchedFiles` (type 1 created, 2 changed, 3 deleted). */
  filesChanged(changes: { uri: string; type: number }[]): Promise<void> {
    return this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes });
  }

  open(uri: string, text: string, languageId = 'python', version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Opens a notebook of code cells; returns the cell uris. */
  async openNotebook(uri: string, cells: string[], languageId = 'python'): Promise<string[]> {
    const cellUris = cells.map((_, i) => `${uri}#cell${i}`);
    await this.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri, notebookType: 'jupyter-notebook', version: 1, cells: cellUris.map((document) => ({ kind: 2, document })) },
      cellTextDocuments: cells.map((text, i) => ({ uri: cellUris[i], languageId, version: 1, text })),
    });
    return cellUris;
  }

  changeNotebook(uri: string, version: number, change: Record<string, unknown>): Promise<void> {
    return this.connection.sendNotification('notebookDocument/didChange', { notebookDocument: { uri, version }, change });
  }

  closeNotebook(uri: string, cellUris: string[]): Promise<void> {
    return this.connection.sendNotification('notebookDocument/didClose', {
      notebookDocument: { uri },
      cellTextDocuments: cellUris.map((u) => ({ uri: u })),
    });
  }

  /**
   * Waits for the diagnostics `uri` shows once `version` (when given) is analysed: published for
   * it, or published earlier and confirmed unchanged by a status naming that version.
   */
  waitForDiagnostics(uri: string, version?: number, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    const accept = (p: PublishDiagnosticsParams) => p.uri === uri && (version === undefined || p.version === version);
    const seen = this.diagnostics.get(uri);
    if (seen && version !== undefined && accept(seen)) return Promise.resolve(seen);
    if (version !== undefined && this.analysed.get(uri) === version) return Promise.resolve({ uri, diagnostics: [], ...seen, version });
    return this.nextDiagnostics(accept, timeoutMs, `diagnostics for ${uri}${version === undefined ? '' : ` version ${version}`}`, version !== undefined);
  }

  /**
   * Waits for the next publication matching `accept`, ignoring any already received (with
   * `confirmed`, also for a status saying the diagnostics shown already match).
   */
  nextDiagnostics(accept: (p: PublishDiagnosticsParams) => boolean, timeoutMs = 10_000, what = 'diagnostics', confirmed = false): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter<PublishDiagnosticsParams> = {
        accept,
        resolve: (p) => {
          clearTimeout(timer);
          this.diagnosticWaiters = this.diagnosticWaiters.filter((w) => w !== waiter);
          this.versionWaiters = this.versionWaiters.filter((w) => w !== waiter);
          resolve(p);
        },
      };
      const timer = setTimeout(() => {
        waiter.resolve = () => undefined;
        reject(new Error(`timed out waiting for ${what}\nserver stderr:\n${this.stderr}\nlogs:\n${this.logs.join('\n')}`));
      }, timeoutMs);
      this.diagnosticWaiters.push(waiter);
      if (confirmed) this.versionWaiters.push(waiter);
    });
  }

  /** Waits for the unit `uri` to report `state`, unless its last report already says so. */
  waitForStatus(uri: string, state: string, timeoutMs = 10_000): Promise<StatusNotification> {
    const last = this.statuses.filter((s) => s.uri === uri).at(-1);
    if (last?.state === state) return Promise.resolve(last);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${uri} to be ${state}`)), timeoutMs);
      this.statusWaiters.push({
        accept: (s) => s.uri === uri && s.state === state,
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      });
    });
  }

  diagnosticsOf(uri: string): Diagnostic[] {
    return this.diagnostics.get(uri)?.diagnostics ?? [];
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  }

  inlayHints(uri: string, range: Range): Promise<InlayHint[] | null> {
    return this.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range });
  }

  codeActions(uri: string, range: Range, context: { diagnostics?: Diagnostic[]; only?: string[] } = {}): Promise<CodeAction[] | null> {
    return this.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: context.diagnostics ?? [], ...(context.only ? { only: context.only } : {}) },
    });
  }

  codeLenses(uri: string): Promise<CodeLens[] | null> {
    return this.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
  }

  executeCommand(command: string, args: unknown[]): Promise<unknown> {
    return this.connection.sendRequest('workspace/executeCommand', { command, arguments: args });
  }

  /** Changes the settings and tells the server, as VS Code does after an edit to settings.json. */
  changeSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    return this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { einsight: settings } });
  }

  /** The server's exit status, once it has exited on its own (after `exit`). */
  async exitStatus(): Promise<number | null> {
    const code = await this.exited;
    this.connection.dispose();
    return code;
  }

  /** Bytes written to the server's stdin beside the protocol client's messages (framing tests). */
  writeRaw(bytes: string): void {
    this.child.stdin.write(bytes);
  }

  get serverStderr(): string {
    return this.stderr;
  }

  /** Whether the process is still running (a crash would have ended it). */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<number | null> {
    if (this.alive) {
      try {
        await this.connection.sendRequest('shutdown');
        await this.connection.sendNotification('exit');
      } catch {
        this.child.kill();
      }
    }
    const timer = setTimeout(() => this.child.kill(), 5_000);
    const code = await this.exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }
}

/** Applies the TextEdits for `uri` in a WorkspaceEdit (either shape) to `text`, as an editor would. */
export function applyWorkspaceEdit(text: string, edit: WorkspaceEdit, uri: string): string {
  const edits: TextEdit[] = [];
  for (const change of edit.documentChanges ?? []) {
    if ('textDocument' in change && change.textDocument.uri === uri) edits.push(...(change.edits as TextEdit[]));
  }
  edits.push(...(edit.changes?.[uri] ?? []));
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: Position) => Math.min(lineStarts[p.line] + p.character, text.length);
  const sorted = edits.map((e) => ({ start: offset(e.range.start), end: offset(e.range.end), newText: e.newText })).sort((a, b) => b.start - a.start);
  for (const e of sorted) text = text.slice(0, e.start) + e.newText + text.slice(e.end);
  return text;
}
