/**
 * What a native measurement runs, before it is spelled in a language: the contraction as the
 * source writes it and as einsight's own quick fixes rewrite it, cut out of the file. The
 * rewritten form is the rewrite layer's actual output for the site (its preferred fix for each
 * finding, combined as fix-all combines them), applied to the real text and read back: so a
 * scalar-placement or fusion finding measures the edit its fix makes. Whatever the forms need
 * from the rest of the program is refused later, by name, rather than guessed.
 */
import type { ChainInfo, ContractionSite, FileAnalysis, RuleCode, SourceRange } from '../../analysis/model';
import { fixesForSite, type Fix, type FixEdit } from '../../rewrite/index';
import { applyEdits, editsConflict } from '../../rewrite/edits';

/** Native measurement cannot run for this site; `reason` says why in one line. */
export class NativeUnavailable extends Error {
  constructor(
    message: string,
    /** The setting that would fix it (shown as "Open setting"), when one would. */
    readonly setting: string | null = null,
  ) {
    super(message);
    this.name = 'NativeUnavailable';
  }
}

export interface NativeInput {
  /** The parameter name in the generated functions. */
  name: string;
  /** The operand as the source writes it. */
  text: string;
  shape: number[];
}

/** The two forms of a unit as code of its language, with what they need. */
export interface NativeProgramParts {
  inputs: NativeInput[];
  /** Lines binding the names the forms use, from the file's imports of the library. */
  imports: string[];
  /** `def/function _ein_as_written(_ein_x0, …)`. */
  asWritten: string;
  /** `_ein_rewritten`; null when einsight offers no fix for the unit. */
  rewritten: string | null;
  /** Statements the fix runs once, before the calls. */
  setup: string[];
  fixes: Fix[];
}

/** Whitespace does not change which expression a text is. */
export function normalizedCode(code: string): string {
  return code.replace(/\s+/g, '');
}

/** Why a unit has no rewritten form. */
export function withheldReason(analysis: FileAnalysis, unit: MeasuredUnit): string {
  const mine = analysis.findings.filter((f) => unit.members.some((m) => m.id === f.site) || (unit.chain !== null && f.chain === unit.chain.id));
  const codes = [...new Set(mine.map((f) => f.code))];
  return codes.length === 0 ? 'einsight finds nothing to rewrite here' : `einsight offers no quick fix for ${codes.join(', ')} here`;
}

/** The sites measured together: one call, or every call of a chain that fuses. */
export interface MeasuredUnit {
  members: ContractionSite[];
  /** The call whose result leaves the unit. */
  root: ContractionSite;
  chain: ChainInfo | null;
}

export function unitOf(analysis: FileAnalysis, site: ContractionSite): MeasuredUnit {
  const chain = site.chain === null ? undefined : analysis.chains.find((c) => c.id === site.chain);
  if (!chain?.fused) return { members: [site], root: site, chain: null };
  const members = chain.members.map((id) => analysis.sites.find((s) => s.id === id) as ContractionSite);
  return { members, root: members.find((s) => s.id === chain.root) ?? members[members.length - 1], chain };
}

/** The call and the scalar factors applied to its result: what the unit's value is, in the source. */
export function resultRange(site: ContractionSite): SourceRange {
  let range = site.range;
  for (const factor of site.scalars?.factors ?? []) {
    const applied = factor.applicationRange;
    if (factor.appliedTo.kind === 'output' && applied.start <= range.start && range.end <= applied.end) range = applied;
  }
  return range;
}

/**
 * The finding a measurement answers first: a chain's fusion, then the contraction order, then
 * scalar placement, then a per-call path search. Its fix is measured; the others' fixes join
 * it where their edits do not collide.
 */
export const FINDING_ORDER: readonly RuleCode[] = ['EIN004', 'EIN001', 'EIN006', 'EIN005', 'EIN007'];

/**
 * The fixes einsight offers for the unit: each finding's preferred fix, in FINDING_ORDER,
 * leaving out those whose edits collide with one already taken.
 */
export function unitFixes(analysis: FileAnalysis, text: string, unit: MeasuredUnit): Fix[] {
  const offered: Fix[] = [];
  for (const member of unit.members) {
    for (const fix of fixesForSite(analysis, member.id, text)) {
      if (fix.isPreferred && !offered.some((f) => JSON.stringify(f.edits) === JSON.stringify(fix.edits))) offered.push(fix);
    }
  }
  const rank = (code: RuleCode) => (FINDING_ORDER.includes(code) ? FINDING_ORDER.indexOf(code) : FINDING_ORDER.length);
  offered.sort((a, b) => rank(a.code) - rank(b.code));
  const chosen: Fix[] = [];
  for (const fix of offered) {
    const collides = fix.edits.some((e) => chosen.some((taken) => taken.edits.some((other) => editsConflict(e, other))));
    if (!collides) chosen.push(fix);
  }
  return chosen;
}

/** A piece of code cut out of a text: its lines without the indentation of where it stood. */
export interface CodePiece {
  text: string;
  /** Where it was, for messages. */
  offset: number;
}

/** The rewritten unit read back from the fixed text. */
export interface RewrittenCode {
  /** Statements the fix inserted before the unit's statement (temporaries): run on every call. */
  before: CodePiece[];
  /** Statements the fix inserted further out (before a loop or the function): run once. */
  setup: CodePiece[];
  /** The expression that now computes the unit's value. */
  result: CodePiece;
}

/**
 * Applies `edits` to `text` and reads back what computes the unit's value now. Edits may
 * rewrite the result expression, insert statements before it, and delete the statements of the
 * chain's intermediates; an edit anywhere else changes code the measurement does not run, and
 * is refused. `runsOnce(offset)` tells whether code inserted at `offset` runs once rather than
 * on every evaluation of the unit (it lies outside a loop or function around the unit).
 */
export function readRewritten(
  text: string,
  edits: readonly FixEdit[],
  unit: MeasuredUnit,
  runsOnce: (offset: number) => boolean,
  lineOf: (offset: number) => number,
): RewrittenCode {
  const result = resultRange(unit.root);
  const deletable = (unit.chain?.links ?? []).flatMap((link) => (link.statementRange ? [lineSpan(text, link.statementRange)] : []));
  const sorted = [...edits].sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
  const before: CodePiece[] = [];
  const setup: CodePiece[] = [];
  for (const edit of sorted) {
    const { start, end } = edit.range;
    if (start >= result.start && end <= result.end) continue;
    if (start === end && end < result.start) {
      (runsOnce(start) ? setup : before).push({ text: dedent(edit.newText, indentationAt(text, start)), offset: start });
      continue;
    }
    const deletesIntermediate = edit.newText.trim() === '' || edit.newText.trim().startsWith('#');
    if (deletesIntermediate && deletable.some((span) => span.start <= start && end <= span.end)) continue;
    throw new NativeUnavailable(`the fix also edits line ${lineOf(start)}, outside the contraction it rewrites, so its effect cannot be measured on its own`);
  }
  const fixed = applyEdits(text, sorted).text;
  let shift = 0;
  let grow = 0;
  for (const edit of sorted) {
    const delta = edit.newText.length - (edit.range.end - edit.range.start);
    const inside = edit.range.start >= result.start && edit.range.end <= result.end;
    if (inside) grow += delta;
    else if (edit.range.end <= result.start) shift += delta;
  }
  const start = result.start + shift;
  const rewritten = dedent(fixed.slice(start, result.end + shift + grow), indentationAt(text, result.start));
  return { before, setup, result: { text: rewritten, offset: result.start } };
}

/** Whole lines around a statement, line break included: what deleting it may remove. */
function lineSpan(text: string, range: SourceRange): SourceRange {
  const lineStart = text.lastIndexOf('\n', range.start - 1) + 1;
  const lineEnd = text.indexOf('\n', range.end);
  return { start: lineStart, end: lineEnd < 0 ? text.length : lineEnd + 1 };
}

/** The whitespace before `offset` on its line, when only whitespace precedes it. */
export function indentationAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : (/^[ \t]*/.exec(before)?.[0] ?? '');
}

/** Removes `indent` from the start of every line after the first, and trailing blank space. */
export function dedent(code: string, indent: string): string {
  const lines = code.split(/\r?\n/);
  return lines
    .map((line, i) => (i > 0 && line.startsWith(indent) ? line.slice(indent.length) : i > 0 ? line.trimStart() : line))
    .join('\n')
    .trimEnd();
}

/** The source of `range`, without the indentation of its first line on the lines after it. */
export function sourceOf(text: string, range: SourceRange): CodePiece {
  return { text: dedent(text.slice(range.start, range.end), indentationAt(text, range.start)), offset: range.start };
}
