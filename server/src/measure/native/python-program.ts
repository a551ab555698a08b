/**
 * The Python side of a native measurement: the unit as written and as fixed, as two functions
 * of the unit's input arrays, with nothing of the user's program but the code of the calls.
 * Operands become the functions' parameters (`_ein_x0`, …), scalar factors whose value the
 * analysis knows become that number, and the names the code still needs are imported only when
 * a known library binds them in the file (numpy, torch, jax, math, …); any other name is
 * refused by name, since running it would mean running the user's code.
 */
import type { ContractionSite, FileAnalysis, Library, SourceRange } from '../../analysis/model';
import { PythonParser } from '../../analysis/python/parser';
import { binaryOperator, field, fields, namedChildren, unwrap, walk, type PyNode } from '../../analysis/python/syntax';
import { prepareRewrites, type Fix } from '../../rewrite/index';
import { NativeUnavailable, readRewritten, resultRange, sourceOf, unitFixes, unitOf, type CodePiece } from './program';

/** The libraries whose arrays a generated script can create. */
export type ArrayLibrary = 'numpy' | 'torch' | 'jax' | 'tensorflow';

/** Modules a script may import: libraries, never the user's own code. */
const IMPORTABLE_ROOTS = new Set(['numpy', 'torch', 'jax', 'opt_einsum', 'einops', 'math', 'tensorflow', 'operator', 'functools']);

const BUILTINS = new Set(['abs', 'bool', 'complex', 'divmod', 'float', 'int', 'len', 'list', 'max', 'min', 'pow', 'range', 'round', 'slice', 'sum', 'tuple', 'zip', 'Ellipsis']);

export interface NativeInput {
  /** The parameter name in the generated functions. */
  name: string;
  /** The operand as the source writes it. */
  text: string;
  shape: number[];
}

export interface PythonProgram {
  arrays: ArrayLibrary;
  /** `import numpy as np`, …: what the two forms need, from the file's own imports. */
  imports: string[];
  inputs: NativeInput[];
  /** `def _ein_as_written(_ein_x0, …): …` */
  asWritten: string;
  /** `def _ein_rewritten(…)`; null when einsight offers no fix for the unit (see `withheld`). */
  rewritten: string | null;
  /** Statements the fix runs once, before the calls (module level in the script). */
  setup: string[];
  fixes: Fix[];
  withheld: string | null;
}

const ARRAY_LIBRARY: Partial<Record<Library, ArrayLibrary>> = { numpy: 'numpy', opt_einsum: 'numpy', torch: 'torch', jax: 'jax', tensorflow: 'tensorflow' };

let loading: Promise<PythonParser> | null = null;
let parser: PythonParser | null = null;

/** Loads the grammar once; the programs below parse synchronously after it. */
async function ready(): Promise<void> {
  loading ??= PythonParser.create();
  parser = await loading;
  await prepareRewrites();
}

function parse(code: string): PyNode {
  return (parser as PythonParser).parse(code).module;
}

/** Parses generated code, which must be free of syntax errors. */
function parseClean(code: string): PyNode {
  const parsed = (parser as PythonParser).parse(code);
  if (parsed.syntaxErrors.length > 0) {
    throw new NativeUnavailable(`einsight could not cut the contraction out of the file cleanly (the generated code does not parse at '${code.slice(parsed.syntaxErrors[0].start, parsed.syntaxErrors[0].end + 20).split('\n')[0]}')`);
  }
  return parsed.module;
}

export async function pythonProgram(analysis: FileAnalysis, text: string, site: ContractionSite, shapes: number[][]): Promise<PythonProgram> {
  await ready();
  const unit = unitOf(analysis, site);
  const arrays = ARRAY_LIBRARY[unit.root.library];
  if (!arrays) {
    throw new NativeUnavailable(
      unit.root.library === 'unknown'
        ? 'the library of these arrays is not known, so there is no library to measure them in'
        : `${unit.root.qualifiedName} calls are not measured natively`,
    );
  }
  const module = parse(text);
  const leaves = unit.chain?.fused ? unit.chain.fused.operands : unit.root.operands;
  const holes = new Map<string, string>();
  const inputs: NativeInput[] = [];
  leaves.forEach((leaf, k) => {
    const base = baseOperand(text, module, leaf.range, unit.members);
    const key = normalize(base);
    if (holes.has(key)) return; // the same operand twice: one array
    const name = `_ein_x${inputs.length}`;
    holes.set(key, name);
    inputs.push({ name, text: base, shape: shapes[k] });
  });
  for (const member of unit.members) {
    for (const factor of member.scalars?.factors ?? []) {
      if (!/^[0-9.eE+-]+$/.test(factor.text)) holes.set(normalize(factor.text), pythonFloat(factor.value));
    }
    // `optimize=OPTIONS` where the analysis knows the value: the script passes that value.
    const optimize = member.options.optimize;
    if (optimize && optimize.value !== null) holes.set(normalize(optimize.text), pythonLiteral(optimize.value));
  }
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const asWrittenBody = [
    ...(unit.chain?.links ?? [])
      .filter((link) => link.name !== null)
      .map((link) => `${link.name} = (${sourceOf(text, resultRange(byId(unit.members, link.producer))).text})`),
  ];
  const bindings = importBindings(module, text);
  const form = (name: string, body: string[], result: string) => substitute(`def ${name}(${inputs.map((i) => i.name).join(', ')}):\n${[...body, `return (${result})`].map(indent).join('\n')}\n`, holes);
  const asWritten = form('_ein_as_written', asWrittenBody, sourceOf(text, resultRange(unit.root)).text);
  const fixes = unitFixes(analysis, text, unit);
  let rewritten: string | null = null;
  let setup: string[] = [];
  let withheld: string | null = null;
  if (fixes.length === 0) {
    const codes = [...new Set(analysis.findings.filter((f) => unit.members.some((m) => m.id === f.site) || (unit.chain && f.chain === unit.chain.id)).map((f) => f.code))];
    withheld = codes.length === 0 ? 'einsight finds nothing to rewrite here' : `einsight offers no quick fix for ${codes.join(', ')} here`;
  } else {
    const read = readRewritten(text, fixes.flatMap((f) => f.edits), unit, (offset) => runsOnce(module, resultRange(unit.root), offset), lineOf);
    const { statements, expression } = splitResult(read.result);
    rewritten = form('_ein_rewritten', [...read.before.map((p) => p.text), ...statements], expression);
    setup = read.setup.map((piece) => substitute(piece.text, holes));
  }
  const code = [asWritten, rewritten ?? '', ...setup].join('\n');
  const unbound = freeNames(code).filter((name) => !bindings.has(name));
  if (unbound.length > 0) {
    throw new NativeUnavailable(
      `the code uses ${unbound.map((n) => `'${n}'`).join(', ')}, defined elsewhere in your program; einsight runs only the contraction, never your code`,
    );
  }
  const imports = [...new Set(freeNames(code).map((name) => bindings.get(name) as string))];
  return { arrays, imports, inputs, asWritten, rewritten, setup, fixes, withheld };
}

function byId(sites: readonly ContractionSite[], id: number): ContractionSite {
  return sites.find((s) => s.id === id) as ContractionSite;
}

function indent(line: string): string {
  return line.split('\n').map((l) => `    ${l}`).join('\n');
}

/** Whitespace does not change which expression a text is. */
function normalize(code: string): string {
  return code.replace(/\s+/g, '');
}

export function pythonFloat(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  return String(value);
}

function pythonLiteral(value: string | boolean | number[][]): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return JSON.stringify(value);
  return `[${value.map((step) => `(${step.join(', ')}${step.length === 1 ? ',' : ''})`).join(', ')}]`;
}

/** The innermost node spanning exactly `range`. */
function nodeAt(module: PyNode, range: SourceRange): PyNode | null {
  let found: PyNode | null = null;
  for (let node: PyNode | undefined = module; node; node = node.children.find((c) => c.start <= range.start && range.end <= c.end)) {
    if (node.start === range.start && node.end === range.end) found = node;
  }
  return found;
}

/**
 * The tensor an operand starts from: `a` for an operand written `a * 3.0` whose factor the
 * analysis knows (the measured forms apply the factor themselves, where the source does).
 */
function baseOperand(text: string, module: PyNode, range: SourceRange, members: readonly ContractionSite[]): string {
  const factors = members.flatMap((m) => m.scalars?.factors ?? []).filter((f) => f.appliedTo.kind === 'operand' && !f.nestedIn);
  let node = nodeAt(module, range);
  while (node) {
    const inner = unwrap(node);
    const operator = binaryOperator(inner);
    if (operator !== '*' && operator !== '/') break;
    const [left, right] = [field(inner, 'left'), field(inner, 'right')];
    const isFactor = (side: PyNode | null) => side !== null && factors.some((f) => f.range.start === side.start && f.range.end === side.end);
    if (isFactor(right)) node = left;
    else if (operator === '*' && isFactor(left)) node = right;
    else break;
  }
  return node ? text.slice(node.start, node.end) : text.slice(range.start, range.end);
}

/** Whether code inserted at `offset` sits outside a loop or function around `result`: it then runs once. */
function runsOnce(module: PyNode, result: SourceRange, offset: number): boolean {
  let runsOnce = false;
  walk(module, (node) => {
    if (node.end < result.end || node.start > result.start) return false;
    const repeats = node.type === 'for_statement' || node.type === 'while_statement' || node.type === 'function_definition';
    if (repeats && !(node.start < offset && offset <= node.end)) runsOnce = true;
  });
  return runsOnce;
}

/** A rewritten result may carry the temporaries it needs (inserted where the call began). */
function splitResult(piece: CodePiece): { statements: string[]; expression: string } {
  const statements = namedChildren(parse(piece.text)).filter((n) => n.type !== 'comment');
  const last = statements[statements.length - 1];
  if (statements.length <= 1 || last?.type !== 'expression_statement') return { statements: [], expression: piece.text };
  return {
    statements: statements.slice(0, -1).map((s) => piece.text.slice(s.start, s.end)),
    expression: piece.text.slice(last.start, last.end),
  };
}

/** Replaces every expression whose text is a hole's (outermost first) with the hole's value. */
function substitute(code: string, holes: ReadonlyMap<string, string>): string {
  const replacements: { node: PyNode; value: string }[] = [];
  walk(parse(code), (node) => {
    if (!node.named || node.type === 'keyword_argument' || node.type.endsWith('statement') || node.type === 'block') return true;
    if (node.type === 'identifier' && (node.field === 'attribute' || node.field === 'name' || (node.field === 'left' && node.parent?.type === 'assignment'))) return true;
    const value = holes.get(normalize(code.slice(node.start, node.end)));
    if (value === undefined) return true;
    replacements.push({ node, value });
    return false;
  });
  let out = code;
  for (const { node, value } of replacements.sort((a, b) => b.node.start - a.node.start)) {
    out = out.slice(0, node.start) + value + out.slice(node.end);
  }
  return out;
}

/** Names the code reads but neither defines nor gets from its parameters or Python's builtins. */
function freeNames(code: string): string[] {
  const bound = new Set<string>(BUILTINS);
  const read: string[] = [];
  walk(parseClean(code), (node) => {
    const parent = node.parent;
    if (node.type !== 'identifier' || !parent) return;
    const name = code.slice(node.start, node.end);
    if (node.field === 'attribute' && parent.type === 'attribute') return;
    if (parent.type === 'keyword_argument' && node.field === 'name') return;
    const binds =
      (parent.type === 'function_definition' && node.field === 'name') ||
      parent.type === 'parameters' ||
      parent.type === 'lambda_parameters' ||
      (parent.type === 'assignment' && node.field === 'left') ||
      (parent.type === 'named_expression' && node.field === 'name') ||
      (parent.type === 'for_in_clause' && node.field === 'left') ||
      ((parent.type === 'pattern_list' || parent.type === 'tuple_pattern') && parent.parent?.field === 'left');
    if (binds) bound.add(name);
    else read.push(name);
  });
  return [...new Set(read.filter((name) => !bound.has(name) && !name.startsWith('_ein_')))];
}

/** Name → the import line that binds it, for the file's imports of importable modules. */
function importBindings(module: PyNode, text: string): Map<string, string> {
  const bindings = new Map<string, string>();
  const textOf = (node: PyNode) => text.slice(node.start, node.end);
  const importable = (dotted: string) => IMPORTABLE_ROOTS.has(dotted.split('.')[0]);
  walk(module, (node) => {
    if (node.type === 'import_statement') {
      for (const name of fields(node, 'name')) {
        const dotted = name.type === 'aliased_import' ? field(name, 'name') : name;
        const alias = name.type === 'aliased_import' ? field(name, 'alias') : null;
        if (!dotted || !importable(textOf(dotted))) continue;
        if (alias) bindings.set(textOf(alias), `import ${textOf(dotted)} as ${textOf(alias)}`);
        else bindings.set(textOf(dotted).split('.')[0], `import ${textOf(dotted)}`);
      }
      return false;
    }
    if (node.type === 'import_from_statement') {
      const from = field(node, 'module_name');
      if (!from || from.type !== 'dotted_name' || !importable(textOf(from))) return false;
      for (const name of fields(node, 'name')) {
        const dotted = name.type === 'aliased_import' ? field(name, 'name') : name;
        const alias = name.type === 'aliased_import' ? field(name, 'alias') : name;
        if (dotted && alias) bindings.set(textOf(alias), `from ${textOf(from)} import ${textOf(dotted)}${alias === dotted ? '' : ` as ${textOf(alias)}`}`);
      }
      return false;
    }
  });
  return bindings;
}
