/**
 * Which recording belongs to which contraction site of the text being analysed. An einsum call
 * is recorded with the source text of the call (from the first character of the callee, or from
 * its last name when the callee spans lines, as Python 3.11 reports it); a matrix product with
 * the text of one `@` or `matmul` of a chain, so a chain collects one recording per product.
 * Matching is by text and position, then by the surrounding lines (see locate.ts); a recording
 * that matches nothing is counted as stale and otherwise ignored.
 */
import type { MatmulTree, SiteSyntax } from '../model';
import type { FileObservations } from './store';
import { isMatmulCallee } from './store';
import type { ObservedSite } from './format';
import { SourceLines, assignPlacements, occurrences } from './locate';

/** A product of a matrix chain: the operand indices it multiplies and the recording of it. */
export interface ProductRecording {
  /** Leaves (operand indices) under the product's left and right side. */
  left: number[];
  right: number[];
  record: ObservedSite;
}

export type SiteRecording = { kind: 'call'; record: ObservedSite } | { kind: 'chain'; products: ProductRecording[] };

export interface Matched {
  /** By site id. */
  bySite: Map<number, SiteRecording>;
  /** Recordings of this file that fit no site of its current text. */
  unmatched: number;
}

interface Candidate {
  start: number;
  end: number;
  site: SiteSyntax;
}

export function matchObservations(sites: readonly SiteSyntax[], text: string, observed: FileObservations): Matched {
  const lines = new SourceLines(text);
  const calls = observed.sites.filter((r) => !isMatmulCallee(r.callee));
  const products = observed.sites.filter((r) => isMatmulCallee(r.callee));
  const bySite = new Map<number, SiteRecording>();
  let unmatched = 0;

  const einsums = sites.filter((s) => s.kind === 'einsum');
  const byText = new Map<string, Candidate[]>();
  const add = (key: string, candidate: Candidate) => {
    const list = byText.get(key);
    if (list) list.push(candidate);
    else byText.set(key, [candidate]);
  };
  for (const site of einsums) {
    add(text.slice(site.range.start, site.range.end), { start: site.range.start, end: site.range.end, site });
    const tail = tailStart(site, text);
    if (tail !== null) add(text.slice(tail, site.range.end), { start: tail, end: site.range.end, site });
  }
  const withText = calls.filter((r) => r.text !== undefined);
  const placed = assignPlacements(lines, withText, (r) => byText.get(r.text!) ?? []);
  // Code compiled by a tool that places calls at their statement (pytest before 8 rewrites
  // asserts so): the recorded text is the statement, and the one einsum inside it is the call.
  const unplaced = withText.filter((r) => !placed.has(r));
  if (unplaced.length > 0) {
    const taken = new Set([...placed.values()].map((c) => c.site));
    const free = einsums.filter((site) => !taken.has(site));
    for (const [record, candidate] of assignPlacements(lines, unplaced, (r) => enclosing(r.text!, text, free))) placed.set(record, candidate);
  }
  for (const record of withText) {
    const candidate = placed.get(record);
    if (candidate && !bySite.has(candidate.site.id)) bySite.set(candidate.site.id, { kind: 'call', record });
    else unmatched++;
  }
  for (const record of calls.filter((r) => r.text === undefined)) {
    const site = lineOnlyMatch(record, einsums, lines);
    if (site && !bySite.has(site.id)) bySite.set(site.id, { kind: 'call', record });
    else unmatched++;
  }
  matchProducts(sites, text, lines, products, bySite);
  return { bySite, unmatched };
}

/** Each place the recorded text occurs with exactly one einsum call inside it, as a candidate for that call. */
function enclosing(recorded: string, text: string, einsums: readonly SiteSyntax[]): Candidate[] {
  return occurrences(text, recorded).flatMap((at) => {
    const inside = einsums.filter((s) => at.start <= s.range.start && s.range.end <= at.end);
    return inside.length === 1 ? [{ start: at.start, end: at.end, site: inside[0] }] : [];
  });
}

/** Where Python 3.11 starts a call whose callee spans lines: at the callee's last name. */
function tailStart(site: SiteSyntax, text: string): number | null {
  const callee = text.slice(site.calleeRange.start, site.calleeRange.end);
  const dot = callee.lastIndexOf('.');
  if (dot < 0 || !/[\r\n]/.test(callee)) return null;
  let start = site.calleeRange.start + dot + 1;
  while (start < site.calleeRange.end && /\s/.test(text[start])) start++;
  return start;
}

/** A recording without columns (Python before 3.11): the one einsum call starting on its line, if the lines around still match. */
function lineOnlyMatch(record: ObservedSite, sites: readonly SiteSyntax[], lines: SourceLines): SiteSyntax | null {
  const near = record.near ?? [];
  const half = near.length >> 1;
  const same = near.every((fingerprint, i) => lines.fingerprint(i < half ? record.line - half + i : record.line + 1 + (i - half)) === fingerprint);
  if (near.length === 0 || !same) return null;
  const onLine = sites.filter((s) => lines.lineOf(s.range.start) === record.line);
  return onLine.length === 1 ? onLine[0] : null;
}

/**
 * Matrix products go to the chain holding them, each to the product of the chain it computes.
 * Products outside any chain (a lone `a @ b`) are recorded too, and not counted as stale.
 */
function matchProducts(
  sites: readonly SiteSyntax[],
  text: string,
  lines: SourceLines,
  records: readonly ObservedSite[],
  bySite: Map<number, SiteRecording>,
): void {
  const chains = sites.filter((s) => s.kind === 'matmul-chain' && s.matmulTree !== null);
  if (chains.length === 0 || records.length === 0) return;
  const candidatesOf = (record: ObservedSite): Candidate[] => {
    const found: Candidate[] = [];
    for (const site of chains) {
      const inside = text.slice(site.range.start, site.range.end);
      for (const at of occurrences(inside, record.text ?? '')) {
        found.push({ start: site.range.start + at.start, end: site.range.start + at.end, site });
      }
    }
    return found;
  };
  const placed = assignPlacements(lines, records.filter((r) => r.text !== undefined), candidatesOf);
  for (const [record, candidate] of placed) {
    const product = productAt(candidate.site, candidate.start, candidate.end);
    if (!product) continue;
    let entry = bySite.get(candidate.site.id);
    if (!entry) bySite.set(candidate.site.id, (entry = { kind: 'chain', products: [] }));
    if (entry.kind === 'chain') entry.products.push({ ...product, record });
  }
}

/** The product of the chain's tree computed by the expression at [start, end): the largest one inside it. */
function productAt(site: SiteSyntax, start: number, end: number): { left: number[]; right: number[] } | null {
  let best: { left: number[]; right: number[] } | null = null;
  const leaves = (tree: MatmulTree): number[] => (typeof tree === 'number' ? [tree] : [...leaves(tree[0]), ...leaves(tree[1])]);
  const visit = (tree: MatmulTree) => {
    if (typeof tree === 'number') return;
    const left = leaves(tree[0]);
    const right = leaves(tree[1]);
    const all = [...left, ...right];
    const from = Math.min(...all.map((k) => site.operands[k].range.start));
    const to = Math.max(...all.map((k) => site.operands[k].range.end));
    if (start <= from && to <= end && (!best || all.length > best.left.length + best.right.length)) best = { left, right };
    visit(tree[0]);
    visit(tree[1]);
  };
  visit(site.matmulTree!);
  return best;
}
