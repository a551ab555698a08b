/**
 * The einsight language server's connection: binds each LSP message to one LanguageService
 * method and nothing more. Run with `--stdio` (or any transport vscode-languageserver accepts:
 * `--node-ipc`, `--socket=PORT`, `--pipe=NAME`); without one it speaks over stdio, as
 * `einsight lsp` and `einsight-language-server` do.
 */
import {
  createConnection,
  DidChangeWatchedFilesNotification,
  MessageType,
  ProposedFeatures,
  ShowMessageNotification,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { LanguageService, type ClientPort } from './service/language-service';
import { STATUS_NOTIFICATION } from './features/status';
import { AnalysisThread } from './service/analysis-thread';
import { builtinFrontEnds } from './workspace/languages';

const TRANSPORTS = ['--stdio', '--node-ipc', '--socket', '--pipe'];
const transportGiven = process.argv.some((arg) => TRANSPORTS.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
const connection = transportGiven ? createConnection(ProposedFeatures.all) : createConnection(ProposedFeatures.all, process.stdin, process.stdout);

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

connection.onInitialize((params) => service.initialize(params));
connection.onInitialized(() => service.initialized());
connection.onDidChangeWatchedFiles((params) => service.didChangeWatchedFiles(params));
connection.onDidOpenTextDocument(service.didOpenTextDocument);
connection.onDidChangeTextDocument(service.didChangeTextDocument);
connection.onDidCloseTextDocument(service.didCloseTextDocument);
connection.notebooks.synchronization.onDidOpenNotebookDocument(service.didOpenNotebook);
connection.notebooks.synchronization.onDidChangeNotebookDocument(service.didChangeNotebook);
connection.notebooks.synchronization.onDidCloseNotebookDocument(service.didCloseNotebook);
connection.onDidChangeConfiguration((params) => service.didChangeConfiguration(params));
connection.onHover((params, token) => service.hover(params, token));
connection.languages.inlayHint.on((params, token) => service.inlayHints(params, token));
connection.onCodeAction((params, token) => service.codeActions(params, token));
connection.onCodeLens((params, token) => service.codeLenses(params, token));
connection.onExecuteCommand((params, token) => service.executeCommand(params, token));

// A failure that escapes a handler is logged; the server keeps serving every other document.
process.on('uncaughtException', (error) => connection.console.error(`einsight: uncaught: ${error.stack ?? error}`));
process.on('unhandledRejection', (reason) => connection.console.error(`einsight: unhandled rejection: ${String(reason)}`));

connection.listen();
