/**
 * Shape checks for what arrives over the wire. The protocol library hands params through
 * unchecked, so every handler reads them through these before trusting a field.
 */
import type { NotebookCell, Position, Range, TextDocumentContentChangeEvent, TextDocumentItem } from 'vscode-languageserver';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isUri(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** A non-negative integer (LSP's uinteger), as versions, lines and characters are. */
export function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isPosition(value: unknown): value is Position {
  return isRecord(value) && isVersion(value.line) && isVersion(value.character);
}

export function isRange(value: unknown): value is Range {
  return isRecord(value) && isPosition(value.start) && isPosition(value.end);
}

export function isTextDocumentItem(value: unknown): value is TextDocumentItem {
  return (
    isRecord(value) &&
    isUri(value.uri) &&
    typeof value.languageId === 'string' &&
    typeof value.version === 'number' &&
    Number.isSafeInteger(value.version) &&
    typeof value.text === 'string'
  );
}

export function isContentChange(value: unknown): value is TextDocumentContentChangeEvent {
  if (!isRecord(value) || typeof value.text !== 'string') return false;
  return value.range === undefined || isRange(value.range);
}

export function isNotebookCell(value: unknown): value is NotebookCell {
  return isRecord(value) && (value.kind === 1 || value.kind === 2) && isUri(value.document);
}

/** `{ textDocument: { uri }, position }`, the params of hover and most position requests. */
export function isTextDocumentPosition(value: unknown): value is { textDocument: { uri: string }; position: Position } {
  return isRecord(value) && isRecord(value.textDocument) && isUri(value.textDocument.uri) && isPosition(value.position);
}

/** `{ textDocument: { uri } }`, plus a range where the request has one. */
export function documentUriOf(value: unknown): string | null {
  return isRecord(value) && isRecord(value.textDocument) && isUri(value.textDocument.uri) ? value.textDocument.uri : null;
}
