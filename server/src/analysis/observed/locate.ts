/**
 * Finding a recorded call again in the current text of its file. A recording names the call by
 * position (line and column, as Python reports them), by its source text and by fingerprints
 * of the lines around it. Where the text still sits at the recorded position, that is the
 * call. Otherwise the file was edited: among the places where the same call text appears now,
 * the one whose surrounding lines still match is taken, and a recording that fits no place,
 * or two places equally well, is dropped rather than guessed.
 */
import { createHash } from 'node:crypto';
import { lastAtOrBelow } from '../../core/sorted';
import type { ObservedSite } from './format';

const LINE_BREAK = /\r\n|\r|\n/g;

/** Line starts of a text with Python's universal newlines (`\n`, `\r\n`, `\r`). */
export class SourceLines {
  private readonly starts: number[] = [0];
  private readonly fingerprints = new Map<number, string>();

  constructor(readonly text: string) {
    for (const match of text.matchAll(LINE_BREAK)) this.starts.push(match.index + match[0].length);
    // As Python reads lines, the end after a final line break starts no line.
    if (this.starts.length > 1 && this.starts[this.starts.length - 1] === text.length) this.starts.pop();
  }

  get count(): number {
    return this.starts.length;
  }

  /** The 1-based line holding `offset`. */
  lineOf(offset: number): number {
    return lastAtOrBelow(this.starts, offset) + 1;
  }

  /** The text of a 1-based line without its line break; null past either end. */
  lineText(line: number): string | null {
    if (line < 1 || line > this.starts.length) return null;
    const start = this.starts[line - 1];
    const end = line < this.starts.length ? this.starts[line] : this.text.length;
    return this.text.slice(start, end).replace(/\r?\n$|\r$/, '');
  }

  /** The offset (UTF-16) of a 1-based line and a 1-based column counted in code points; null when outside the line. */
  offsetAt(line: number, column: number): number | null {
    const text = this.lineText(line);
    if (text === null) return null;
    let offset = 0;
    for (let counted = 1; counted < column; counted++) {
      if (offset >= text.length) return null;
      offset += (text.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
    }
    return this.starts[line - 1] + offset;
  }

  /** 1-based line and column (code points) of an offset. */
  positionOf(offset: number): { line: number; column: number } {
    const line = this.lineOf(offset);
    const before = this.text.slice(this.starts[line - 1], offset);
    let column = 1;
    for (const _ of before) column++;
    return { line, column };
  }

  /** What the recorder writes for a line (`near`): the first 8 hex digits of the SHA-1 of the trimmed line, "" past the ends. */
  fingerprint(line: number): string {
    let known = this.fingerprints.get(line);
    if (known === undefined) {
      const text = this.lineText(line);
      known = text === null ? '' : lineFingerprint(text);
      this.fingerprints.set(line, known);
    }
    return known;
  }
}

export function lineFingerprint(line: string): string {
  return createHash('sha1').update(pythonStrip(line), 'utf8').digest('hex').slice(0, 8);
}

/** Python's `str.strip()`: it also strips the ASCII separators \x1c-\x1f, which JavaScript's trim keeps. */
function pythonStrip(text: string): string {
  return text.replace(/^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/gu, '');
}

/** Where a recorded call is now: offsets of its recorded text. */
export interface Placement {
  start: number;
  end: number;
  /** At the recorded position (the file did not move it). */
  exact: boolean;
}

/** Where a recording's text sits at its recorded position, if it still does. */
export function exactPlacement(lines: SourceLines, site: ObservedSite): Placement | null {
  if (site.column === undefined || site.text === undefined) return null;
  const start = lines.offsetAt(site.line, site.column);
  if (start === null || lines.text.slice(start, start + site.text.length) !== site.text) return null;
  return { start, end: start + site.text.length, exact: true };
}

/** How many of the recorded neighbouring lines still surround a call placed at [start, end). */
export function nearScore(lines: SourceLines, site: ObservedSite, start: number, end: number): number {
  const near = site.near ?? [];
  const half = near.length >> 1;
  const first = lines.lineOf(start);
  const last = lines.lineOf(Math.max(start, end - 1));
  let score = 0;
  near.forEach((fingerprint, i) => {
    const line = i < half ? first - half + i : last + 1 + (i - half);
    if (fingerprint !== '' && lines.fingerprint(line) === fingerprint) score++;
  });
  return score;
}

/**
 * Assigns recordings to candidate places, one to one: first every recording still at its
 * recorded position, then each other recording to the place where its neighbouring lines match
 * best — taken only when that place is the only candidate or clearly better than the next.
 */
export function assignPlacements<C extends { start: number; end: number }>(
  lines: SourceLines,
  sites: readonly ObservedSite[],
  candidatesOf: (site: ObservedSite) => readonly C[],
): Map<ObservedSite, C> {
  const assigned = new Map<ObservedSite, C>();
  const taken = new Set<string>();
  const place = (c: { start: number; end: number }) => `${c.start}:${c.end}`;
  const rest: ObservedSite[] = [];
  for (const site of sites) {
    const exact = exactPlacement(lines, site);
    const candidate = exact ? candidatesOf(site).find((c) => c.start === exact.start && !taken.has(place(c))) : undefined;
    if (candidate) {
      assigned.set(site, candidate);
      taken.add(place(candidate));
    } else rest.push(site);
  }
  for (const site of rest) {
    const free = candidatesOf(site).filter((c) => !taken.has(place(c)));
    if (free.length === 0) continue;
    const scored = free.map((c) => ({ c, score: nearScore(lines, site, c.start, c.end) })).sort((a, b) => b.score - a.score);
    const [best, second] = scored;
    if (free.length > 1 && (best.score === 0 || best.score === second.score)) continue;
    assigned.set(site, best.c);
    taken.add(place(best.c));
  }
  return assigned;
}

/** Every place a text occurs in `source` (non-overlapping), for recordings of files edited since. */
export function occurrences(source: string, text: string): Placement[] {
  const found: Placement[] = [];
  if (text.length === 0) return found;
  for (let at = source.indexOf(text); at >= 0; at = source.indexOf(text, at + text.length)) {
    found.push({ start: at, end: at + text.length, exact: false });
  }
  return found;
}
