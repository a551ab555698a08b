/** The reference for content changes: each applied to a fresh document of the text so far, as `TextDocument` clamps positions. */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

export function applyOneByOne(text: string, changes: readonly TextDocumentContentChangeEvent[]): string {
  for (const change of changes) {
    if (!('range' in change) || !change.range) {
      text = change.text;
      continue;
    }
    const document = TextDocument.create('file:///reference', 'python', 1, text);
    const a = document.offsetAt(change.range.start);
    const b = document.offsetAt(change.range.end);
    text = text.slice(0, Math.min(a, b)) + change.text + text.slice(Math.max(a, b));
  }
  return text;
}
