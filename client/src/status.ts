/**
 * The status bar item: what the server last said about the active editor's document (or its
 * notebook). It keeps its text while a new analysis runs (a spinner replaces the icon, and only
 * when the analysis takes long enough to notice, so typing does not make it flicker), shows an
 * error icon when a finding is an error, and links to the log.
 */
import * as vscode from 'vscode';

/** The server's `einsight/status` notification. */
export const STATUS_NOTIFICATION = 'einsight/status';

export interface AnalysisStatus {
  uri: string;
  documents: { uri: string; version: number | null }[];
  languageId: string;
  state: 'analyzing' | 'ready' | 'failed' | 'disabled' | 'unsupported' | 'closed';
  sites: number;
  findings: number;
  errors: number;
  durationMs: number;
  message: string | null;
  /** Recorded shapes in use (`einsight record`): the observed file, sites matched, stale recordings. */
  observed?: { source: string; matched: number; stale: number } | null;
}

/** An analysis shorter than this shows no spinner: it would only blink. */
const SPINNER_DELAY_MS = 400;

const LANGUAGE_NAMES: Record<string, string> = {
  python: 'Python',
  typescript: 'TypeScript',
  typescriptreact: 'TypeScript (TSX)',
  javascript: 'JavaScript',
  javascriptreact: 'JavaScript (JSX)',
};

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('einsight.status', vscode.StatusBarAlignment.Right, 100);
  /** The last settled status of each document (ready, failed, …). */
  private readonly byDocument = new Map<string, AnalysisStatus>();
  /** Units (by document or notebook uri) whose analysis has run long enough to show a spinner. */
  private readonly spinning = new Set<string>();
  private readonly spinnerTimers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly showOutputCommand: string) {
    this.item.name = 'einsight';
    this.item.command = showOutputCommand;
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.window.onDidChangeActiveNotebookEditor(() => this.render()),
    ];
  }

  update(status: AnalysisStatus): void {
    const key = status.uri;
    clearTimeout(this.spinnerTimers.get(key));
    this.spinnerTimers.delete(key);
    if (status.state === 'analyzing') {
      this.spinnerTimers.set(
        key,
        setTimeout(() => {
          this.spinning.add(key);
          // Before its first analysis ends, a document has no status yet: this one stands in.
          for (const uri of [status.uri, ...status.documents.map((d) => d.uri)]) if (!this.byDocument.has(uri)) this.byDocument.set(uri, status);
          this.render();
        }, SPINNER_DELAY_MS),
      );
      return;
    }
    this.spinning.delete(key);
    for (const uri of [status.uri, ...status.documents.map((d) => d.uri)]) {
      if (status.state === 'closed') this.byDocument.delete(uri);
      else this.byDocument.set(uri, status);
    }
    this.render();
  }

  /** The server stopped: nothing it said still holds. */
  clear(): void {
    this.byDocument.clear();
    this.spinning.clear();
    for (const timer of this.spinnerTimers.values()) clearTimeout(timer);
    this.spinnerTimers.clear();
    this.render();
  }

  dispose(): void {
    this.clear();
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }

  private render(): void {
    const uri = vscode.window.activeNotebookEditor?.notebook.uri ?? vscode.window.activeTextEditor?.document.uri;
    const status = uri ? this.byDocument.get(uri.toString()) : undefined;
    if (!status) {
      this.item.hide();
      return;
    }
    const { icon, text, tooltip } = describe(status);
    this.item.text = `${this.spinning.has(status.uri) ? '$(sync~spin)' : icon} ${text}`;
    const markdown = new vscode.MarkdownString(`${tooltip}\n\n[Show the log](command:${this.showOutputCommand}) · [Settings](command:workbench.action.openSettings?%22einsight%22)`);
    markdown.isTrusted = { enabledCommands: [this.showOutputCommand, 'workbench.action.openSettings'] };
    this.item.tooltip = markdown;
    this.item.backgroundColor = status.state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

function describe(status: AnalysisStatus): { icon: string; text: string; tooltip: string } {
  const where = status.documents.length > 1 || status.uri.endsWith('.ipynb') ? 'this notebook' : `this ${LANGUAGE_NAMES[status.languageId] ?? status.languageId} file`;
  switch (status.state) {
    case 'ready': {
      if (status.message) {
        // Not analysed, or not fully (too large, nested too deep, out of time): say so, never "no findings".
        return { icon: '$(warning)', text: `einsight: ${/^not fully/.test(status.message) ? 'partly analysed' : 'not analysed'}`, tooltip: `einsight: ${status.message}.` };
      }
      const icon = status.errors > 0 ? '$(error)' : status.findings > 0 ? '$(warning)' : '$(check)';
      const errors = status.errors > 0 ? ` (${plural(status.errors, 'error')})` : '';
      const observed = status.observed && status.observed.matched > 0 ? status.observed : null;
      return {
        icon,
        text: `einsight: ${status.findings > 0 ? plural(status.findings, 'finding') : plural(status.sites, 'contraction')}${observed ? ' · recorded' : ''}`,
        tooltip:
          `einsight: ${plural(status.sites, 'contraction')} and ${plural(status.findings, 'finding')}${errors} in ${where}, analysed in ${Math.round(status.durationMs)} ms.` +
          (observed ? ` Recorded shapes in use at ${plural(observed.matched, 'site')}, from ${observed.source}${observed.stale > 0 ? ` (${plural(observed.stale, 'recording')} no longer match the code)` : ''}.` : ''),
      };
    }
    case 'failed':
      return { icon: '$(error)', text: 'einsight: failed', tooltip: `einsight could not analyse ${where}: ${status.message ?? 'unknown error'}.` };
    case 'disabled':
      return { icon: '$(circle-slash)', text: 'einsight: off', tooltip: 'einsight is off here (`einsight.enable`).' };
    case 'analyzing':
      return { icon: '$(sync~spin)', text: 'einsight', tooltip: `einsight is analysing ${where}…` };
    default:
      return { icon: '$(circle-slash)', text: 'einsight', tooltip: `einsight cannot analyse ${where}.` };
  }
}
