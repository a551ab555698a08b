/**
 * Python's syntax adapter for forms.ts: the unit as written and as fixed become two `def`s of
 * the unit's input arrays, parsed with tree-sitter. The names they still need are imported only
 * when the file binds them from a known library (numpy, torch, jax, math, …): importing anything
 * else could run the user's code.
 */
import type { ContractionSite, FileAnalysis, Library, SourceRange } from '../../analysis/model';
import { PythonParser } from '../../analysis/python/parser';
import { binaryOperator, field, fields, namedChildren, unwrap, walk, type PyNode } from '../../analysis/python/syntax';
import { prepareRewrites } from '../../rewrite/index';
import { buildForms, type FormSyntax } from './forms';
import { NativeUnavailable, normalizedCode as normalize, unitOf, type CodePiece, type NativeProgramParts } from './program';

/** The libraries whose arrays a generated script can create. */
export type ArrayLibrary = 'numpy' | 'torch' | 'jax' | 'tensorflow';

/** Modules a script may import: libraries, never the user's own code. */
const IMPORTABLE_ROOTS = new Set(['numpy', 'torch', 'jax', 'opt_einsum', 'einops', 'math', 'tensorflow', 'operator', 'functools']);

const BUILTINS = new Set(['abs', 'bool', 'complex', 'divmod', 'float', 'int', 'len', 'list', 'max', 'min', 'pow', 'range', 'round', 'slice', 'sum', 'tuple', 'zip', 'Ellipsis']);

export interface PythonProgram extends NativeProgramParts {
  arrays: ArrayLibrary;
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
  const root = unitOf(analysis, site).root;
  const arrays = ARRAY_LIBRARY[root.library];
  if (!arrays) {
    throw new NativeUnavailable(
      root.library === 'unknown' ? 'the library of these arrays is not known, so there is no library to measure them in' : `${root.qualifiedName} calls are not measured natively`,
    );
  }
  const module = parse(text);
  const syntax: FormSyntax = {
    baseOperand: (range, members) => baseOperand(text, module, range, members),
    number: pythonFloat,
    // `optimize=OPTIONS` where the analysis knows the value: the script passes that value.
    knownValues: (member) => {
      const optimize = member.options.optimize;
      return optimize && optimize.value !== null ? [[optimize.text, pythonLiteral(optimize.value, member.library)]] : [];
    },
    assign: (name, expression) => `${name} = (${expression})`,
    func: (name, parameters, body, result) => `def ${name}(${parameters.join(', ')}):\n${[...body, `return (${result})`].map(indent).join('\n')}\n`,
    runsOnce: (result, offset) => runsOnce(module, result, offset),
    splitResult,
    substitute,
    freeNames,
    bindings: importBindings(module, text),
    builtins: BUILTINS,
  };
  return { arrays, ...buildForms(analysis, text, site, shapes, syntax) };
}

function indent(line: string): string {
  return line.split('\n').map((l) => `    ${l}`).join('\n');
}

export function pythonFloat(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  return String(value);
}

/** The value as the library takes it: numpy's explicit path starts with 'einsum_path', opt_einsum's does not. */
function pythonLiteral(value: string | boolean | number[][], library: Library): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return JSON.stringify(value);
  const steps = value.map((step) => `(${step.join(', ')}${step.length === 1 ? ',' : ''})`);
  return `[${[...(library === 'numpy' ? ['"einsum_path"'] : []), ...steps].join(', ')}]`;
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
  const bound = new Set<string>();
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
  return [...new Set(read.filter((name) => !bound.has(name)))];
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
