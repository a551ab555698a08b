/**
 * The results webview: static assets from media/ (no CDN), a strict CSP, and the report passed
 * as an HTML-escaped data attribute that media/measure.js reads — no inline script or style.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { MeasureReportJson } from './report';

const VIEW_TYPE = 'einsight.measure';

export class MeasurePanel {
  private panel: vscode.WebviewPanel | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  show(report: MeasureReportJson): void {
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'einsight: measure', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        localResourceRoots: [media],
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    const webview = this.panel.webview;
    this.panel.title = `measure: ${report.equation}`;
    webview.html = measureHtml(report, {
      cspSource: webview.cspSource,
      script: webview.asWebviewUri(vscode.Uri.joinPath(media, 'measure.js')).toString(),
      style: webview.asWebviewUri(vscode.Uri.joinPath(media, 'measure.css')).toString(),
      nonce: randomBytes(16).toString('base64'),
    });
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

function measureHtml(report: MeasureReportJson, assets: { cspSource: string; script: string; style: string; nonce: string }): string {
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
<main id="measure" data-report="${escapeHtml(JSON.stringify(report))}"></main>
<script nonce="${assets.nonce}" src="${escapeHtml(assets.script)}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
