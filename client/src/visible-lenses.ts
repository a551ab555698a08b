/**
 * Keeps the Measure lenses near what the user sees (see lens-window.ts for why). The server
 * still answers with every lens (other editors get them all); the middleware keeps those near
 * the visible lines of the editors showing the document. When the user scrolls or jumps beyond
 * the kept lines, or an editor opens, the lens provider says its lenses changed and VS Code asks
 * again. Typing does not move the visible lines, so the lenses in view stay as they are.
 */
import * as vscode from 'vscode';
import { CodeLensRequest, type BaseLanguageClient, type CodeLensMiddleware } from 'vscode-languageclient/node';
import { keepLensesIn, lensWindow, windowCovers, type LineSpan } from './lens-window';

/** Scroll events come with every frame of a scroll: look at where it got to at most this often. */
const CHECK_DELAY_MS = 100;

export class VisibleLenses implements vscode.Disposable {
  /** Per document (uri), the lines its lenses were last kept for; undefined: all of them. */
  private readonly loaded = new Map<string, LineSpan[] | undefined>();
  private readonly subscriptions: vscode.Disposable[];
  private client: BaseLanguageClient | undefined;
  private check: NodeJS.Timeout | undefined;
  private checkPending = false;

  readonly middleware: CodeLensMiddleware = {
    provideCodeLenses: async (document, token, next) => {
      const lenses = await next(document, token);
      if (!lenses) return lenses;
      const window = lensWindow(visibleSpans(document));
      this.loaded.set(document.uri.toString(), window);
      return keepLensesIn(lenses, window);
    },
  };

  constructor() {
    const soon = () => this.checkSoon();
    this.subscriptions = [
      vscode.window.onDidChangeTextEditorVisibleRanges(soon),
      vscode.window.onDidChangeVisibleTextEditors(soon),
      vscode.window.onDidChangeActiveTextEditor(soon),
      vscode.workspace.onDidCloseTextDocument((document) => this.loaded.delete(document.uri.toString())),
    ];
  }

  /** The client whose lens provider is told to refresh (the middleware exists before it). */
  attach(client: BaseLanguageClient): void {
    this.client = client;
  }

  dispose(): void {
    clearTimeout(this.check);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.loaded.clear();
  }

  /** At once (a jump shows its lenses sooner), then at most once per CHECK_DELAY_MS while a scroll goes on. */
  private checkSoon(): void {
    if (this.check) {
      this.checkPending = true;
      return;
    }
    this.refreshUncovered();
    this.check = setTimeout(() => {
      this.check = undefined;
      if (this.checkPending) {
        this.checkPending = false;
        this.checkSoon();
      }
    }, CHECK_DELAY_MS);
  }

  /** Asks VS Code again for the lenses of each shown document whose kept lines no longer cover the view. */
  private refreshUncovered(): void {
    const documents = new Map(vscode.window.visibleTextEditors.map((editor) => [editor.document.uri.toString(), editor.document]));
    for (const [uri, document] of documents) {
      // Never asked for yet: VS Code asks by itself when it shows the document.
      if (!this.loaded.has(uri) || windowCovers(this.loaded.get(uri), visibleSpans(document))) continue;
      // Not asked again until VS Code asks: one refresh per scroll beyond the kept lines.
      this.loaded.delete(uri);
      this.client?.getFeature(CodeLensRequest.method).getProvider(document)?.onDidChangeCodeLensEmitter.fire();
    }
  }
}

/** The visible lines of each editor showing `document` (one list per editor: it may be split). */
function visibleSpans(document: vscode.TextDocument): LineSpan[][] {
  return vscode.window.visibleTextEditors
    .filter((editor) => editor.document === document)
    .map((editor) => editor.visibleRanges.map((range) => ({ start: range.start.line, end: range.end.line })));
}
