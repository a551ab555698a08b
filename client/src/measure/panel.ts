/**
 * The measure webview: static assets from media/ (no CDN), a strict CSP, the state passed as an
 * HTML-escaped data attribute and then as messages (progress, the result, an error) that
 * media/measure.js renders — no inline script or style. A new measurement clears the old result
 * at once; the "Open setting" buttons come back as messages.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { MeasureReportJson } from './report';

const VIEW_TYPE = 'einsight.measure';

export type PanelState =
  | { kind: 'progress'; title: string; message: string; fraction: number }
  | { kind: 'report'; report: MeasureReportJson }
  | { kind: 'error'; title: string; message: string; setting: string | null };

export class MeasurePanel {
  private panel: vscode.WebviewPanel | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** Shows the state, creating the panel beside the editor (without taking focus) if needed. */
  show(state: PanelState): void {
    const title = state.kind === 'report' ? `measure: ${state.report.equation}` : 'einsight: measure';
    if (this.panel) {
      this.panel.title = title;
      void this.panel.webview.postMessage(state);
      if (!this.panel.visible) this.panel.reveal(undefined, true);
      return;
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [media],
    });
    this.panel = panel;
    panel.onDidDispose(() => (this.panel = undefined));
    panel.webview.onDidReceiveMessage((message: { type?: string; setting?: unknown }) => {
      if (message?.type === 'openSetting' && typeof message.setting === 'string' && /^einsight\.[\w.]+$/.test(message.setting)) {
        void vscode.commands.executeCommand('workbench.action.openSettings', message.setting);
      }
    });
    const webview = panel.webview;
    webview.html = measureHtml(state, {
      cspSource: webview.cspSource,
      script: webview.asWebviewUri(vscode.Uri.joinPath(media, 'measure.js')).toString(),
      style: webview.asWebviewUri(vscode.Uri.joinPath(media, 'measure.css')).toString(),
      nonce: randomBytes(16).toString('base64'),
    });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

function measureHtml(state: PanelState, assets: { cspSource: string; script: string; style: string; nonce: string }): string {
  const csp = [
    "default-src 'none'",
    `style-src ${assets.cspSource}`,
    `img-src ${assets.cspSource}`,
    `script-src 'nonce-${assets.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(assets.style)}">
<title>einsight: measure</title>
</head>
<body>
<main id="measure" data-state="${escapeHtml(JSON.stringify(state))}"></main>
<script nonce="${assets.nonce}" src="${escapeHtml(assets.script)}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
