/**
 * The size-adaptive fix: where no fixed path can be shown to be no worse at every size, the
 * library keeps choosing the path from the real shapes, but once per shape instead of at
 * every call. The call keeps its arguments exactly as written (evaluated once, in order, with
 * every keyword passed on); only its callee changes, to a helper added once after the imports:
 *
 * - numpy: `np.einsum(...)` → a helper that runs `np.einsum_path` once per equation, optimize
 *   and shapes (cached) and passes the path as `optimize=`: the same path numpy would search;
 *   a call without `optimize=` keeps numpy's one loop wherever greedy's path would cost more.
 * - opt_einsum: `oe.contract(...)` → a cached `contract_expression` per equation, options and shapes.
 * - torch (with opt_einsum installed): `torch.einsum(...)` → a cached `contract_expression`,
 *   called with `backend='torch'`, built with the strategy torch itself uses (`auto`).
 */
import type { ContractionSite, Finding, RuleCode } from '../analysis/model';
import { fixedPathRefusal } from './fix-policy';
import { field, namedChildren, textOf, type PyNode } from '../analysis/python/syntax';
import { nodeOf, type FixContext } from './context';
import { checkNumpyPathKeepsResult } from './best-order';
import { insert, replace, type Fix, type FixEdit } from './edits';
import { notApplicable, RewriteRefusal } from './refusal';
import { fixTitle } from './titles';

type Flavor = 'numpy' | 'opt_einsum' | 'torch';

/** Helper names: private to einsight, fixed so a second fix finds and reuses the helper. */
const HELPER: Record<Flavor, string> = {
  numpy: '_einsight_einsum',
  opt_einsum: '_einsight_contract',
  torch: '_einsight_torch_einsum',
};

const MARKER = '# einsight: size-adaptive path, searched once per shape';

/** The helper's imports (private aliases: no name of the file is touched) and its cached search. */
function cached(module: string, alias: string, search: string[]): string[] {
  return ['import functools as _einsight_functools', `import ${module} as ${alias}`, '', '', MARKER, '@_einsight_functools.lru_cache(maxsize=None)', ...search, '', ''];
}

function helperText(flavor: Flavor, newline: string): string {
  const lines: Record<Flavor, string[]> = {
    numpy: [
      ...cached('numpy', '_einsight_numpy', [
        'def _einsight_einsum_path(equation, optimize, *shapes):',
        '    operands = [_einsight_numpy.broadcast_to(0.0, shape) for shape in shapes]',
        '    if optimize is not None:',
        '        return _einsight_numpy.einsum_path(equation, *operands, optimize=optimize)[0]',
        "    # The call ran numpy's one loop: keep it where greedy's path would need more FLOPs.",
        "    path, report = _einsight_numpy.einsum_path(equation, *operands, optimize='greedy')",
        "    naive, optimized = (float(line.split(':')[1]) for line in report.splitlines() if 'FLOP count' in line)",
        '    return path if optimized < naive else False',
      ]),
      'def _einsight_einsum(equation, *operands, optimize=None, **options):',
      "    # A path promotes pair by pair, one call all operands at once: the path only for one dtype, not float16.",
      '    dtypes = {_einsight_numpy.result_type(operand).name for operand in operands}',
      "    if len(dtypes) > 1 or 'float16' in dtypes:",
      '        return _einsight_numpy.einsum(equation, *operands, optimize=False if optimize is None else optimize, **options)',
      '    shapes = [_einsight_numpy.shape(operand) for operand in operands]',
      '    path = _einsight_einsum_path(equation, optimize, *shapes)',
      '    return _einsight_numpy.einsum(equation, *operands, optimize=path, **options)',
    ],
    opt_einsum: [
      ...cached('opt_einsum', '_einsight_opt_einsum', [
        'def _einsight_expression(equation, options, *shapes):',
        '    return _einsight_opt_einsum.contract_expression(equation, *shapes, **dict(options))',
      ]),
      "def _einsight_contract(equation, *operands, out=None, backend='auto', **options):",
      '    shapes = [tuple(_einsight_opt_einsum.parser.get_shape(operand)) for operand in operands]',
      '    expression = _einsight_expression(equation, tuple(sorted(options.items())), *shapes)',
      '    return expression(*operands, out=out, backend=backend)',
    ],
    torch: [
      ...cached('opt_einsum', '_einsight_opt_einsum', [
        'def _einsight_torch_expression(equation, *shapes):',
        "    return _einsight_opt_einsum.contract_expression(equation, *shapes, optimize='auto')",
      ]),
      'def _einsight_torch_einsum(equation, *operands):',
      '    expression = _einsight_torch_expression(equation, *[tuple(operand.shape) for operand in operands])',
      "    return expression(*operands, backend='torch')",
    ],
  };
  return lines[flavor].join(newline);
}

/** Keywords each library's call may carry through the helper, and those whose value must be a literal (a cache key). */
const KEYWORDS: Record<Flavor, { passed: ReadonlySet<string>; literal: ReadonlySet<string> }> = {
  numpy: { passed: new Set(['optimize', 'out', 'dtype', 'order', 'casting']), literal: new Set(['optimize']) },
  opt_einsum: { passed: new Set(['optimize', 'memory_limit', 'use_blas', 'out', 'backend', 'dtype', 'order', 'casting']), literal: new Set(['optimize', 'memory_limit', 'use_blas', 'dtype', 'order', 'casting']) },
  torch: { passed: new Set(), literal: new Set() },
};

const LITERAL_TYPES = new Set(['true', 'false', 'none', 'integer', 'string']);

export function sizeAdaptiveFix(context: FixContext, site: ContractionSite, code: RuleCode, finding: Finding): Fix {
  // Where a fixed path is no worse at every size, the cost finding's own fixes say more.
  if (code === 'EIN001' && fixedPathRefusal(finding, site) === null) throw notApplicable('a fixed path is no worse at every size here');
  const flavor = flavorOf(site);
  const call = nodeOf(context, site.range, 'call');
  if (call.type !== 'call') throw new RewriteRefusal('the site is not a call');
  const callee = field(call, 'function')!;
  checkArguments(context, call, flavor);
  // numpy's helper takes the path only for one shared dtype (checked as it runs); a path's result type is checked here.
  if (flavor === 'numpy') checkNumpyPathKeepsResult(context, site, field(call, 'arguments')!);
  const source = context.source;
  const newline = source.text.includes('\r\n') ? '\r\n' : '\n';
  const edits: FixEdit[] = [replace(callee, HELPER[flavor])];
  // A second fix in the same file reuses the helper the first one added (marked as einsight's).
  const ours = source.text.includes(MARKER) && source.text.includes(`def ${HELPER[flavor]}(`);
  if (!ours) {
    if (source.names().has(HELPER[flavor])) throw new RewriteRefusal(`the file already uses the name ${HELPER[flavor]}`);
    const at = helperOffset(context, call);
    // Two blank lines after it, counting those already there.
    let blank = 0;
    while (blank < 2 && source.text.startsWith(newline, at + blank * newline.length)) blank++;
    edits.push(insert(at, `${helperText(flavor, newline)}${newline}${newline.repeat(2 - blank)}`));
  }
  const actions: Record<Flavor, string[]> = {
    numpy: ["Let numpy search the path once per shape, then reuse it", 'Search the path once per shape'],
    opt_einsum: ['Build one contract expression per shape and reuse it', 'Reuse one contract expression per shape'],
    torch: ["Reuse one opt_einsum expression per shape, run by torch", 'Reuse one opt_einsum expression per shape'],
  };
  const why = code === 'EIN007' ? 'no search at every call' : 'the best order depends on the sizes';
  return {
    title: fixTitle(actions[flavor], why),
    kind: 'quickfix',
    code,
    edits,
    isPreferred: false,
  };
}

function flavorOf(site: ContractionSite): Flavor {
  if (site.kind !== 'einsum' || site.via) throw notApplicable('not a direct einsum call');
  if (site.equation.form !== 'string' || site.equation.dynamic) throw new RewriteRefusal('the equation is not a string einsight can read');
  if (site.qualifiedName === 'numpy.einsum') return 'numpy';
  if (site.qualifiedName === 'opt_einsum.contract') return 'opt_einsum';
  if (site.qualifiedName === 'torch.einsum') {
    // torch runs opt_einsum's search only when opt_einsum is installed; the helper imports it.
    if (site.baseline?.method !== 'optimizer') throw notApplicable('opt_einsum is not installed for torch to use');
    return 'torch';
  }
  throw notApplicable(`no size-adaptive form is known for ${site.qualifiedName}`);
}

/** Positional operands only (no `*` or `**`), keywords the helper passes on, cache keys written as literals. */
function checkArguments(context: FixContext, call: PyNode, flavor: Flavor): void {
  const args = field(call, 'arguments');
  if (!args || args.type !== 'argument_list') throw new RewriteRefusal('the call has no argument list');
  const items = namedChildren(args);
  for (const arg of items) {
    if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') throw new RewriteRefusal('the call unpacks arguments');
    if (arg.type !== 'keyword_argument') {
      if (flavor === 'torch' && (arg.type === 'list' || arg.type === 'tuple') && items.length === 2) {
        throw new RewriteRefusal("torch's list form einsum(eq, [a, b, c]) is not rewritten");
      }
      continue;
    }
    const name = textOf(context.source.text, field(arg, 'name')!);
    const value = field(arg, 'value')!;
    if (!KEYWORDS[flavor].passed.has(name)) throw new RewriteRefusal(`the call passes ${name}=, which the helper does not take`);
    if (KEYWORDS[flavor].literal.has(name) && !LITERAL_TYPES.has(value.type)) throw new RewriteRefusal(`${name}= is computed at run time`);
    if (flavor !== 'torch' && name === 'optimize' && value.type === 'false') throw new RewriteRefusal('optimize=False searches no path');
  }
}

/**
 * After the module's docstring, `__future__` imports and leading imports, before any code runs:
 * every call the helper serves comes after it.
 */
function helperOffset(context: FixContext, call: PyNode): number {
  const module = context.source.module;
  let offset = 0;
  for (const statement of namedChildren(module)) {
    const leading =
      statement.type === 'import_statement' ||
      statement.type === 'import_from_statement' ||
      statement.type === 'future_import_statement' ||
      (statement.type === 'expression_statement' && namedChildren(statement)[0]?.type === 'string' && offset === 0);
    if (!leading) break;
    offset = context.source.lineEnd(statement.end);
  }
  if (call.start < offset) throw new RewriteRefusal('the call is among the imports');
  // No leading statement: after the first lines' comments (a shebang, an encoding line, a licence).
  if (offset === 0) {
    const text = context.source.text;
    while (offset < text.length && /^[ \t]*(#.*)?$/.test(text.slice(offset, context.source.lineEnd(offset)))) {
      const end = context.source.lineEnd(offset);
      if (end >= text.length) return text.length;
      offset = end + 1;
    }
    return offset;
  }
  // Past the line break that ends the last leading statement, at the start of a line.
  const newline = context.source.text.startsWith('\r\n', offset) ? 2 : context.source.text.startsWith('\n', offset) ? 1 : 0;
  return offset + newline;
}
