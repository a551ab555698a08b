/**
 * Fixture markers, as pyright's fourslash tests write them: `/*name*\/` marks a position and
 * `[|text|]` marks a range (`[|/*name*\/text|]` names it). Markers are removed from the text;
 * positions are reported against the clean text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Position, Range } from 'vscode-languageserver-protocol';

export interface Fixture {
  text: string;
  /** Named positions. */
  markers: Map<string, Position>;
  /** Ranges in order of their opening `[|`, with the name of a marker right after it, if any. */
  ranges: { name: string | null; range: Range }[];
  position(name: string): Position;
  range(name: string): Range;
}

const TOKEN = /\/\*([A-Za-z0-9_-]+)\*\/|\[\||\|\]/g;

export function parseFixture(source: string): Fixture {
  let text = '';
  let last = 0;
  const offsets = new Map<string, number>();
  const open: { start: number; name: string | null }[] = [];
  const closed: { name: string | null; start: number; end: number }[] = [];
  for (const match of source.matchAll(TOKEN)) {
    text += source.slice(last, match.index);
    last = match.index + match[0].length;
    if (match[1] !== undefined) {
      if (offsets.has(match[1])) throw new Error(`marker /*${match[1]}*/ appears twice`);
      offsets.set(match[1], text.length);
      const pending = open[open.length - 1];
      if (pending && pending.start === text.length && pending.name === null) pending.name = match[1];
    } else if (match[0] === '[|') {
      open.push({ start: text.length, name: null });
    } else {
      const range = open.pop();
      if (!range) throw new Error('a |] closes no [|');
      closed.push({ ...range, end: text.length });
    }
  }
  if (open.length > 0) throw new Error('a [| is never closed');
  text += source.slice(last);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const at = (offset: number): Position => {
    let line = lineStarts.length - 1;
    while (lineStarts[line] > offset) line--;
    return { line, character: offset - lineStarts[line] };
  };
  const markers = new Map([...offsets].map(([name, offset]) => [name, at(offset)]));
  const ranges = closed.sort((a, b) => a.start - b.start).map((r) => ({ name: r.name, range: { start: at(r.start), end: at(r.end) } }));
  return {
    text,
    markers,
    ranges,
    position(name) {
      const position = markers.get(name);
      if (!position) throw new Error(`no marker /*${name}*/`);
      return position;
    },
    range(name) {
      const found = ranges.find((r) => r.name === name);
      if (!found) throw new Error(`no range [|/*${name}*/...|]`);
      return found.range;
    },
  };
}

export const LSP_FIXTURES = path.resolve(__dirname, '../../fixtures/lsp');

export function loadFixture(name: string): Fixture {
  return parseFixture(readFileSync(path.join(LSP_FIXTURES, name), 'utf8'));
}
