/**
 * The einsight language server's connection: binds each LSP message to one LanguageService
 * method and nothing more. Run with `--stdio` (or any transport vscode-languageserver accepts:
 * `--node-ipc`, `--socket=PORT`, `--pipe=NAME`); without one it speaks over stdio, as
 * `einsight lsp` and `einsight-language-server` do.
 */
import { format } from 'node:util';
import {
  createConnection,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  MessageType,
  ProposedFeatures,
  ResponseError,
  ShowMessageNotification,
  StreamMessageWriter,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { StrictMessageReader } from './service/message-framing';
import { LanguageService, type ClientPort } from './service/language-service';
import { STATUS_NOTIFICATION } from './features/status';
import { AnalysisThread } from './service/analysis-thread';
import { builtinFrontEnds } from './workspace/languages';
import { PythonIndexer, type IndexReply } from './service/python-index';

const OTHER_TRANSPORTS = ['--node-ipc', '--socket', '--pipe'];
const stdio = !process.argv.some((arg) => OTHER_TRANSPORTS.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
let shutDown = false;
// Over stdio, framing is read strictly: a fault is logged and ends the server (the client
// restarts it) instead of leaving it deaf. Other transports use vscode-languageserver's own.
const connection = stdio
  ? createConnection(
      ProposedFeatures.all,
      new StrictMessageReader(process.stdin, {
        framingLost: (error) => {
          process.stderr.write(`einsight: cannot read the client's messages any more: ${error.message}; exiting so that the client can restart the server\n`);
          process.exit(1);
        },
        messageDropped: (reason) => process.stderr.write(`einsight: ignored a message: ${reason}\n`),
      }),
      new StreamMessageWriter(process.stdout),
    )
  : createConnection(ProposedFeatures.all);
if (stdio) {
  // The streams are ours: end with them, and keep stray console output off the protocol.
  const ended = () => process.exit(shutDown ? 0 : 1);
  process.stdin.on('end', ended);
  process.stdin.on('close', ended);
  console.log = console.info = (...args: unknown[]) => connection.console.log(format(...args));
  console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
  console.error = (...args: unknown[]) => connection.console.error(format(...args));
}

/** After `shutdown` (LSP): requests fail with InvalidRequest, notifications other than `exit` are dropped. */
function live<P extends unknown[], R>(handler: (...args: P) => R): (...args: P) => R | ResponseError<void> {
  return (...args) => (shutDown ? new ResponseError(ErrorCodes.InvalidRequest, 'einsight: the server is shut down') : handler(...args));
}
function liveNotification<P extends unknown[]>(handler: (...args: P) => void): (...args: P) => void {
  return (...args) => {
    if (!shutDown) handler(...args);
  };
}

const client: ClientPort = {
  publishDiagnostics: (params) => void connection.sendDiagnostics(params),
  watchFiles: async (globPattern) => void (await connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern }] })),
  sendStatus: (status) => void connection.sendNotification(STATUS_NOTIFICATION, status),
  pullSettings: (scopeUri) => connection.workspace.getConfiguration({ scopeUri, section: 'einsight' }),
  applyEdit: async (label: string, edit: WorkspaceEdit) => (await connection.workspace.applyEdit({ label, edit })).applied,
  refreshInlayHints: () => void connection.languages.inlayHint.refresh().catch(() => undefined),
  showWarning: (message) => void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message }),
  showInformation: (message) => void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message }),
  showDocument: async (uri) => (await connection.window.showDocument({ uri, takeFocus: true })).success,
  log: (message) => connection.console.log(message),
  debug: (message) => connection.console.debug(message),
  logError: (message) => connection.console.error(message),
};

// Analyses run on their own thread: this one keeps answering while a long analysis runs.
const analysisThread = new AnalysisThread((message) => connection.console.error(message), builtinFrontEnds().languageIds);
const service = new LanguageService(client, analysisThread.sessions());

// Python files across the workspace folders, indexed in the background once the client is ready.
const indexer = new PythonIndexer({
  send: (index) => analysisThread.request<IndexReply>({ kind: 'index', session: 0, index }),
  progress: () => connection.window.createWorkDoneProgress(),
  indexed: () => service.workspaceIndexed(),
  log: (message) => connection.console.log(message),
});
let workspaceFolders: string[] = [];

connection.onInitialize((params) => {
  workspaceFolders = params?.workspaceFolders?.map((folder) => folder.uri) ?? (params?.rootUri ? [params.rootUri] : []);
  return service.initialize(params);
});
connection.onShutdown(
  live(() => {
    shutDown = true;
  }),
);
// One handler each (a second registration replaces the first): recordings and the Python index.
connection.onInitialized(
  liveNotification(() => {
    service.initialized();
    void indexer.start(workspaceFolders);
  }),
);
connection.onDidChangeWatchedFiles(
  liveNotification((params) => {
    service.didChangeWatchedFiles(params);
    void indexer.changed(params.changes.map((change) => change.uri));
  }),
);
connection.onDidOpenTextDocument(liveNotification(service.didOpenTextDocument));
connection.onDidChangeTextDocument(liveNotification(service.didChangeTextDocument));
connection.onDidCloseTextDocument(liveNotification(service.didCloseTextDocument));
connection.notebooks.synchronization.onDidOpenNotebookDocument(liveNotification(service.didOpenNotebook));
connection.notebooks.synchronization.onDidChangeNotebookDocument(liveNotification(service.didChangeNotebook));
connection.notebooks.synchronization.onDidCloseNotebookDocument(liveNotification(service.didCloseNotebook));
connection.onDidChangeConfiguration(liveNotification((params) => service.didChangeConfiguration(params)));
connection.onNotification('einsight/pythonInterpreter', liveNotification((params) => service.pythonInterpreter(params)));
connection.onHover(live((params, token) => service.hover(params, token)));
connection.languages.inlayHint.on(live((params, token) => service.inlayHints(params, token)));
connection.onCodeAction(live((params, token) => service.codeActions(params, token)));
connection.onCodeLens(live((params, token) => service.codeLenses(params, token)));
connection.onExecuteCommand(live((params, token) => service.executeCommand(params, token)));

// A failure that escapes a handler is logged; the server keeps serving every other document.
process.on('uncaughtException', (error) => connection.console.error(`einsight: uncaught: ${error.stack ?? error}`));
process.on('unhandledRejection', (reason) => connection.console.error(`einsight: unhandled rejection: ${String(reason)}`));

connection.listen();
