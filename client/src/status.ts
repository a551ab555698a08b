/**
 * The status bar item: what the server last said about the active editor's document (or its
 * notebook): analysing, the number of findings, disabled, or failed (click for the log).
 */
import * as vscode from 'vscode';

/** The server's `einsight/status` notification. */
export const STATUS_NOTIFICATION = 'einsight/status';

export interface AnalysisStatus {
  uri: string;
  documents: string[];
  state: 'analyzing' | 'ready' | 'failed' | 'disabled' | 'unsupported' | 'closed';
  sites: number;
  findings: number;
  durationMs: number;
  message: string | null;
}

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('einsight.status', vscode.StatusBarAlignment.Right, 100);
  private readonly byDocument = new Map<string, AnalysisStatus>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(showOutputCommand: string) {
    this.item.name = 'einsight';
    this.item.command = showOutputCommand;
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.window.onDidChangeActiveNotebookEditor(() => this.render()),
    ];
  }

  update(status: AnalysisStatus): void {
    for (const uri of [status.uri, ...status.documents]) {
      if (status.state === 'closed') this.byDocument.delete(uri);
      else this.byDocument.set(uri, status);
    }
    this.render();
  }

  /** The server stopped: nothing it said still holds. */
  clear(): void {
    this.byDocument.clear();
    this.render();
  }

  dispose(): void {
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
    const { text, tooltip } = describe(status);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
  }
}

function describe(status: AnalysisStatus): { text: string; tooltip: string } {
  switch (status.state) {
    case 'analyzing':
      return { text: '$(sync~spin) einsight', tooltip: 'einsight: analysing contractions…' };
    case 'ready': {
      const sites = `${status.sites} contraction${status.sites === 1 ? '' : 's'}`;
      const findings = `${status.findings} finding${status.findings === 1 ? '' : 's'}`;
      return {
        text: `${status.findings > 0 ? '$(warning)' : '$(check)'} einsight: ${status.findings > 0 ? findings : sites}`,
        tooltip: `einsight: ${sites}, ${findings} (analysed in ${status.durationMs} ms). Click for the log.`,
      };
    }
    case 'failed':
      return { text: '$(error) einsight', tooltip: `einsight could not analyse this file: ${status.message ?? 'unknown error'}. Click for the log.` };
    case 'disabled':
      return { text: '$(circle-slash) einsight', tooltip: 'einsight is disabled (einsight.enable)' };
    default:
      return { text: 'einsight', tooltip: 'einsight: no analysis for this language yet' };
  }
}
