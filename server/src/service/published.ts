/**
 * What the client was last sent for each document. An analysis republishes only the documents
 * whose diagnostics changed: with hundreds of findings, an unchanged list sent after every key
 * would have the editor redraw every squiggle and the Problems panel for nothing.
 */
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';
import { sameData } from './rendered-delta';

export class PublishedDiagnostics {
  /** The list each document shows now. */
  private readonly shown = new Map<string, readonly Diagnostic[]>();

  constructor(private readonly send: (params: PublishDiagnosticsParams) => void) {}

  /** Sends the list unless the document shows it already; says whether it sent. */
  publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): boolean {
    const shown = this.shown.get(uri);
    // The same list object: an analysis that left it as it was (rendered-delta.ts keeps it).
    // A document that shows nothing yet and has nothing to show: still published once, so the
    // client knows it was analysed.
    if (shown === diagnostics) return false;
    this.shown.set(uri, diagnostics);
    if (shown !== undefined && sameData(shown, diagnostics)) return false;
    this.send({ uri, ...(version === undefined ? {} : { version }), diagnostics });
    return true;
  }

  /** The document closed or left its notebook: its diagnostics go. */
  clear(uri: string): void {
    this.shown.delete(uri);
    this.send({ uri, diagnostics: [] });
  }
}
