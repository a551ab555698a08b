/**
 * What crosses between the connection's thread and the analysis thread: requests about one
 * session, their replies, and snapshots as plain data.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { SourceEdit } from '../workspace/frontends';
import type { IndexRequest } from './python-index';
import type { CodeActionQuery, RenderOptions } from '../workspace/session';
import type { EinsightSettings } from '../workspace/settings';
import { UnitSnapshot, type SourceSlice } from '../workspace/snapshot';

/** A snapshot as it crosses threads: a document's text is sent only where it differs from the analysed text (masked notebook magics). */
export interface SnapshotData {
  key: string;
  languageId: string;
  version: number;
  text: string;
  slices: { uri: string; languageId: string; version: number; start: number; end: number; text?: string }[];
}

export type ThreadRequest = { job: number; session: number } & (
  | { kind: 'analyze'; languageId: string; options: RenderOptions; snapshot: SnapshotData; edits: SourceEdit[] | null; settings: EinsightSettings }
  | { kind: 'hover'; version: number; uri: string; position: { line: number; character: number } }
  | { kind: 'codeActions'; version: number; uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } }; query: CodeActionQuery }
  | { kind: 'fixAll'; version: number; versioned: boolean }
  | { kind: 'close' }
  | { kind: 'index'; index: IndexRequest }
);

export type ThreadReply = { job: number } & ({ ok: true; value: unknown } | { ok: false; error: string });

export function snapshotData(snapshot: UnitSnapshot): SnapshotData {
  return {
    key: snapshot.key,
    languageId: snapshot.languageId,
    version: snapshot.version,
    text: snapshot.text,
    slices: snapshot.slices.map(({ uri, version, start, end, document }) => {
      const own = document.getText();
      return { uri, languageId: document.languageId, version, start, end, ...(own === snapshot.text.slice(start, end) ? {} : { text: own }) };
    }),
  };
}

export function snapshotOf(data: SnapshotData): UnitSnapshot {
  const slices: SourceSlice[] = data.slices.map(({ uri, languageId, version, start, end, text }) => ({
    uri,
    version,
    start,
    end,
    document: TextDocument.create(uri, languageId, version, text ?? data.text.slice(start, end)),
  }));
  return new UnitSnapshot(data.key, data.languageId, data.version, data.text, slices);
}

