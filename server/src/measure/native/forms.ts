/**
 * The two forms of a unit, cut out of a file once for every language: leaf operands become the
 * parameters `_ein_x0, …` (the same operand twice, one parameter), scalar factors the analysis
 * knows become numbers, the chain's intermediates keep their names, and the rewritten form is
 * read back from the fixes' edits. A thin syntax adapter (python-program.ts, tfjs-program.ts)
 * says how its language spells and parses these pieces; whatever name the forms still need
 * must be bound by the file's imports of the library, or the measurement is refused by name.
 */
import type { ContractionSite, FileAnalysis, SourceRange } from '../../analysis/model';
import {
  NativeUnavailable,
  normalizedCode,
  readRewritten,
  resultRange,
  sourceOf,
  unitFixes,
  unitOf,
  type CodePiece,
  type NativeInput,
  type NativeProgramParts,
} from './program';

/** How one language spells, parses and binds the pieces of a form. */
export interface FormSyntax {
  /** The tensor an operand starts from, without the scalar factors the analysis knows on it. */
  baseOperand(range: SourceRange, members: readonly ContractionSite[]): string;
  /** A scalar factor's value as a literal (`8.0`, `8`). */
  number(value: number): string;
  /** More expressions to replace by values (Python: an `optimize=` whose value is known). */
  knownValues?(member: ContractionSite): [string, string][];
  /** `t = (…)`, `const t = (…);` */
  assign(name: string, expression: string): string;
  /** A function of the parameters running `body`, then returning `result`. */
  func(name: string, parameters: readonly string[], body: readonly string[], result: string): string;
  /** Code inserted at `offset` runs once (it is outside a loop or function around `result`). */
  runsOnce(result: SourceRange, offset: number): boolean;
  /** A rewritten result may start with the statements its fix inserted where the call began. */
  splitResult(piece: CodePiece): { statements: string[]; expression: string };
  /** Replaces every expression whose (whitespace-free) text is a key of `holes`, outermost first. */
  substitute(code: string, holes: ReadonlyMap<string, string>): string;
  /** Names the code reads but does not define. */
  freeNames(code: string): string[];
  /** Name → the line that binds it, from the file's imports of the library. */
  bindings: ReadonlyMap<string, string>;
  builtins: ReadonlySet<string>;
}

export function buildForms(analysis: FileAnalysis, text: string, site: ContractionSite, shapes: number[][], syntax: FormSyntax): NativeProgramParts {
  const unit = unitOf(analysis, site);
  const leaves = unit.chain?.fused ? unit.chain.fused.operands : unit.root.operands;
  const holes = new Map<string, string>();
  const inputs: NativeInput[] = [];
  leaves.forEach((leaf, k) => {
    const base = syntax.baseOperand(leaf.range, unit.members);
    if (holes.has(normalizedCode(base))) return; // the same operand twice: one array
    const name = `_ein_x${inputs.length}`;
    holes.set(normalizedCode(base), name);
    inputs.push({ name, text: base, shape: shapes[k] });
  });
  for (const member of unit.members) {
    for (const factor of member.scalars?.factors ?? []) {
      if (!/^[0-9.eE+-]+$/.test(factor.text)) holes.set(normalizedCode(factor.text), syntax.number(factor.value));
    }
    for (const [code, value] of syntax.knownValues?.(member) ?? []) holes.set(normalizedCode(code), value);
  }
  const parameters = inputs.map((i) => i.name);
  const producer = (id: number) => unit.members.find((m) => m.id === id) as ContractionSite;
  const intermediates = (unit.chain?.links ?? [])
    .filter((link) => link.name !== null)
    .map((link) => syntax.assign(link.name as string, sourceOf(text, resultRange(producer(link.producer))).text));
  const form = (name: string, body: string[], result: string) => syntax.substitute(syntax.func(name, parameters, body, result), holes);
  const asWritten = form('_ein_as_written', intermediates, sourceOf(text, resultRange(unit.root)).text);
  const fixes = unitFixes(analysis, text, unit);
  let rewritten: string | null = null;
  let setup: string[] = [];
  if (fixes.length > 0) {
    const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
    const read = readRewritten(text, fixes.flatMap((f) => f.edits), unit, (offset) => syntax.runsOnce(resultRange(unit.root), offset), lineOf);
    const { statements, expression } = syntax.splitResult(read.result);
    rewritten = form('_ein_rewritten', [...read.before.map((p) => p.text), ...statements], expression);
    setup = read.setup.map((piece) => syntax.substitute(piece.text, holes));
  }
  const free = syntax.freeNames([asWritten, rewritten ?? '', ...setup].join('\n')).filter((name) => !syntax.builtins.has(name) && !name.startsWith('_ein_'));
  const unbound = free.filter((name) => !syntax.bindings.has(name));
  if (unbound.length > 0) {
    throw new NativeUnavailable(
      `the code uses ${unbound.map((n) => `'${n}'`).join(', ')}, defined elsewhere in your program; einsight runs only the contraction, never your code`,
    );
  }
  return { inputs, imports: [...new Set(free.map((name) => syntax.bindings.get(name) as string))], asWritten, rewritten, setup, fixes };
}
