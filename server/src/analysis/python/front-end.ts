/**
 * The Python front end proper: from a parsed module to the language-neutral sites and
 * data-flow facts. Top-level functions and classes are read one by one; an editor document
 * keeps what it read from each and reuses it while the function's text and the module-level
 * code around it stay the same, so an edit re-reads only the function it touched. While a
 * function is typed (an open parenthesis or string), the parser may fold the rest of the file
 * into one error for a few keystrokes: readings are also kept by their text for a few analyses,
 * so when the code parses again only the edited function is read again.
 */
import { AnalysisBudget } from '../budget';
import type { FrontEndOutput } from '../evaluate';
import { matmulChainEquation } from '../matmul';
import { siteKey } from '../pricing';
import type { AnalysisOptions, ChainLink, Library, ScalarFactor, SiteContext, SiteSyntax } from '../model';
import { CallContext } from './call-context';
import type { ConstantEvaluator } from './constants';
import { analyzeFlow, statementOf, type FlowSite } from './dataflow';
import { EffectFacts } from './effects';
import type { HintIndex } from './hints';
import { findMatmulChains, type MatmulChain } from './matmul-chains';
import { moveRanges, readingWithin, type OffsetMap } from './offsets';
import { MutationAnalysis } from './mutation';
import type { ParsedPython } from './parser';
import { PythonProgram, type PythonModule } from './program';
import type { NameResolver } from './resolve';
import { ScopeCache, buildScopes, isUnit, type Scope } from './scopes';
import { ShapeAnalysis } from './shape-analysis';
import { ShapeInference, type OperandShapes } from './shapes';
import type { EinsumReader, EinsumCall } from './sites';
import { binaryOperator, field, textOf, type PyNode } from './syntax';

/** What was read from one top-level function or class, with its offsets at the time. */
interface UnitReading {
  start: number;
  end: number;
  fingerprint: string;
  sites: SiteSyntax[];
  /** Producer and consumer are indices into `sites`. */
  links: ChainLink[];
  scalars: [number, ScalarFactor[]][];
  /** Cost-cache keys of the sites (they do not depend on offsets). */
  keys: string[];
  /** Some range points outside the unit (a module-level constant or hint), which may move on its own. */
  outside: boolean;
  /** The time limit cut the reading short: it is not kept for the next analysis. */
  partial: boolean;
  /**
   * The nodes whose shapes the reading used (by their path from the unit, so a reading kept
   * by text finds them in the unit's new tree), with what the shape analysis held for them:
   * the reading is reused only while they hold the very same values.
   */
  shapes: { path: number[]; value: unknown }[];
}

/**
 * How many analyses a reading is kept by its text after its unit was last seen: enough for a
 * long call typed key by key with its parenthesis open (about one analysis per key or two).
 */
const KEPT_BY_TEXT_FOR = 64;

/** A reading kept by its unit's text, with the edits since it was last valid. */
interface KeptReading {
  reading: UnitReading;
  /** Offset maps of each analysis since, in order; empty when it is current. */
  maps: OffsetMap[];
}

/** Readings kept between analyses of one document, by the (reused) syntax node of each unit. */
export class UnitCache {
  readings = new Map<PyNode, UnitReading>();
  /** The same readings and recent ones whose unit is gone for now, by the unit's text. */
  byText = new Map<string, KeptReading[]>();
  readonly scopes = new ScopeCache();
}

/**
 * Reads the module. With `cache` and `map` (how the edits since the last reading moved
 * offsets), units whose text and context did not change are taken from the cache.
 */
export function readPython(
  parsed: ParsedPython,
  options: AnalysisOptions,
  cache: UnitCache | null = null,
  map: OffsetMap | null = null,
  budget = new AnalysisBudget(options.timeLimitMs),
  shared: SharedAnalysis | null = null,
): FrontEndOutput {
  const { text, module: root } = parsed;
  let module: PythonModule;
  let analysis: ShapeAnalysis;
  if (shared) ({ module, analysis } = shared);
  else {
    const program = new PythonProgram(options.einsumFunctions);
    module = program.add(DOCUMENT, null, parsed, buildScopes(root, text, cache?.scopes ?? null));
    analysis = new ShapeAnalysis(program);
    analysis.run();
  }
  const facts = module.facts;
  const { resolver, constants, reader, hints } = module;
  const shapes = new ShapeInference(analysis, module, options.dims ?? {});
  reader.shapes = shapes;
  const context: ReadContext = {
    text,
    resolver,
    constants,
    reader,
    shapes,
    hints,
    mutation: new MutationAnalysis(resolver, new EffectFacts(resolver)),
    imported: importedLibrary(facts.module),
    around: new CallContext(resolver),
  };

  // Calls and matrix products, grouped by the top-level function or class holding them.
  const groups = new Map<PyNode | null, PyNode[]>();
  // Consecutive calls are mostly in one function: its group is at hand without a lookup.
  let lastUnit: PyNode | null | undefined;
  let lastGroup: PyNode[] = [];
  for (const list of [facts.calls, facts.matmuls]) {
    for (const node of list) {
      const unit = unitOf(node);
      if (unit !== lastUnit) {
        lastUnit = unit;
        const group = groups.get(unit);
        if (group) lastGroup = group;
        else groups.set(unit, (lastGroup = []));
      }
      lastGroup.push(node);
    }
  }
  const fingerprint = moduleFingerprint(root, facts.module, text, options);
  const readings: UnitReading[] = [];
  const kept = new Map<PyNode, UnitReading>();
  const keptByText = new Map<string, KeptReading[]>();
  const used = new Set<UnitReading>();
  for (const [unit, nodes] of groups) {
    const previous = unit && cache ? cache.readings.get(unit) : undefined;
    let reading = unit && cache ? (reuse(previous, unit, fingerprint, map, shapes) ?? reuseByText(cache, unit, text, fingerprint, map, used, shapes)) : null;
    // A reading moved with its unit supersedes the one it was moved from: keeping that one too
    // (under the same text) made every later analysis carry a copy per moved unit, up to
    // KEPT_BY_TEXT_FOR of them, each with its list of offset maps.
    if (previous && reading && reading !== previous && reading.shapes === previous.shapes) used.add(previous);
    reading ??= readGroup(nodes, context, unit, fingerprint, budget);
    if (unit && !reading.partial) {
      kept.set(unit, reading);
      pushKept(keptByText, textOf(text, unit), { reading, maps: [] });
    }
    readings.push(reading);
  }
  if (cache) {
    cache.readings = kept;
    cache.byText = map ? carryOver(cache.byText, keptByText, map, used) : keptByText;
  }
  return {
    language: 'python',
    ...combine(readings),
    syntaxErrors: parsed.syntaxErrors,
    notes: module.hintErrors,
    // opt_einsum_fx depends on opt_einsum: either import means it is installed.
    importsOptEinsum: importsModule(facts.module, ['opt_einsum', 'opt_einsum_fx']),
    text,
  };
}

/** The name of the analysed document in provenance (sizes from other files name their file). */
export const DOCUMENT = '';

/** A module of a program analysed as a whole (a workspace): its shapes come from that analysis. */
export interface SharedAnalysis {
  analysis: ShapeAnalysis;
  module: PythonModule;
}

interface ReadContext {
  text: string;
  resolver: NameResolver;
  constants: ConstantEvaluator;
  reader: EinsumReader;
  shapes: ShapeInference;
  hints: HintIndex<Scope>;
  mutation: MutationAnalysis;
  imported: Library | null;
  around: CallContext;
}

/** The top-level function or class a node sits in; null at module level. */
function unitOf(node: PyNode): PyNode | null {
  let current = node;
  while (current.parent && current.parent.parent) current = current.parent;
  return isUnit(current) ? current : null;
}

/**
 * Everything outside functions and classes that reading a function depends on: module-level
 * statements (imports, constants, hints), the names functions and classes bind, names
 * functions declare `global`, and the dims table.
 */
function moduleFingerprint(module: PyNode, scope: Scope, text: string, options: AnalysisOptions): string {
  const parts = module.children.map((child) => (isUnit(child) ? `${child.type}:${unitName(child, text)}` : textOf(text, child)));
  const globals: string[] = [];
  const visit = (s: Scope) => {
    globals.push(...s.globals);
    s.children.forEach(visit);
  };
  scope.children.forEach(visit);
  return [...parts, globals.sort().join(','), JSON.stringify(options.dims ?? {}), JSON.stringify(options.einsumFunctions ?? {})].join('\u0000');
}

function unitName(unit: PyNode, text: string): string {
  const definition = unit.type === 'decorated_definition' ? unit.children.find((c) => c.field === 'definition') : unit;
  const name = definition?.children.find((c) => c.field === 'name');
  return name ? textOf(text, name) : '';
}

function reuse(reading: UnitReading | undefined, unit: PyNode, fingerprint: string, map: OffsetMap | null, shapes: ShapeInference): UnitReading | null {
  if (!reading || !map || reading.fingerprint !== fingerprint) return null;
  // Shapes come from the whole program: a change elsewhere can change what this unit's sites see.
  if (reading.shapes.some(({ path, value }) => shapes.analysis.valueAt(nodeAt(unit, path)) !== value)) return null;
  // The node is reused for identical text; it must also be the same place in the document.
  if (map(reading.start) !== unit.start || map(reading.end) !== unit.end) return null;
  if (unit.start === reading.start && unit.end === reading.end && !reading.outside) return reading;
  return moveRanges(map, (mover) => ({
    ...reading,
    start: unit.start,
    end: unit.end,
    sites: reading.sites.map((site) => mover.site(site)),
    links: reading.links.map((link) => mover.link(link)),
    scalars: reading.scalars.map(([site, factors]): [number, ScalarFactor[]] => [site, factors.map((f) => mover.factor(f))]),
  }));
}

/**
 * A reading of a unit with this very text, kept from an earlier analysis: valid when the module
 * around it is the same and the edits since then bring it exactly to this unit's place.
 */
function reuseByText(
  cache: UnitCache,
  unit: PyNode,
  text: string,
  fingerprint: string,
  map: OffsetMap | null,
  used: Set<UnitReading>,
  shapes: ShapeInference,
): UnitReading | null {
  if (!map) return null;
  for (const kept of cache.byText.get(textOf(text, unit)) ?? []) {
    if (used.has(kept.reading) || kept.reading.fingerprint !== fingerprint) continue;
    const maps = [...kept.maps, map];
    const through: OffsetMap = (offset) => maps.reduce<number | null>((at, step) => (at === null ? null : step(at)), offset);
    const reading = reuse(kept.reading, unit, fingerprint, through, shapes);
    if (reading) {
      used.add(kept.reading);
      return reading;
    }
  }
  return null;
}

function pushKept(byText: Map<string, KeptReading[]>, key: string, kept: KeptReading): void {
  const list = byText.get(key);
  if (list) list.push(kept);
  else byText.set(key, [kept]);
}

/** This analysis' readings, then the earlier ones not used now, for a few more analyses. */
function carryOver(before: Map<string, KeptReading[]>, now: Map<string, KeptReading[]>, map: OffsetMap, used: Set<UnitReading>): Map<string, KeptReading[]> {
  for (const [key, list] of before) {
    for (const kept of list) {
      if (used.has(kept.reading) || kept.maps.length + 1 >= KEPT_BY_TEXT_FOR) continue;
      if (now.get(key)?.some((k) => k.reading === kept.reading)) continue;
      pushKept(now, key, { reading: kept.reading, maps: [...kept.maps, map] });
    }
  }
  return now;
}

function readGroup(nodes: PyNode[], context: ReadContext, unit: PyNode | null, fingerprint: string, budget: AnalysisBudget): UnitReading {
  const { reader, resolver, text } = context;
  // The shapes this reading sees, remembered to tell later whether it can be reused.
  const used: UnitReading['shapes'] = [];
  const shapes: OperandShapes = {
    inferAll: (all) => {
      const inferred = context.shapes.inferAll(all);
      if (unit) for (const node of all) used.push({ path: pathOf(node, unit), value: context.shapes.analysis.valueAt(node) });
      return inferred;
    },
    infer: (node) => (node ? shapes.inferAll([node])[0] : { shape: null, library: null }),
    dimOf: (node, base) => context.shapes.dimOf(node, base),
  };
  reader.shapes = shapes;
  const sites: SiteSyntax[] = [];
  const flowSites: FlowSite[] = [];
  const located = (node: PyNode, range: { start: number; end: number }) => ({
    statementRange: rangeOf(statementOf(node) ?? node),
    context: siteContext(node, resolver, context.around),
    ignored: context.hints.ignoredBetween(lineStart(text, range.start), lineEnd(text, range.end)),
  });
  const read: PyNode[] = [];
  for (const node of nodes) {
    if (!budget.read(() => rangeOf(node))) continue;
    read.push(node);
    const call = reader.read(node);
    if (!call) continue;
    const site = einsumSite(call, reader, context.imported, text);
    sites.push(siteSyntax(site, located(node, site.range), -1));
    flowSites.push({ id: -1, kind: 'einsum', node, operandNodes: call.operandNodes, library: site.library, static: !site.dynamic });
  }
  for (const chain of findMatmulChains(read, resolver, (node) => scaledTensor(node, context.constants))) {
    const site = matmulSite(chain, shapes, context.imported, text);
    if (!site) continue;
    sites.push(siteSyntax(site, located(chain.root, site.range), -1));
    flowSites.push({ id: -1, kind: 'matmul-chain', node: chain.root, operandNodes: chain.leaves, library: site.library, static: true, scalings: chain.scalings });
  }
  const order = sites.map((_, i) => i).sort((a, b) => sites[a].range.start - sites[b].range.start);
  const sizeOf = (node: PyNode) => {
    const dims = shapes.infer(node).shape?.dims;
    return dims?.every((d): d is number => typeof d === 'number') ? dims.reduce((n, d) => n * BigInt(d), 1n) : null;
  };
  const flow = analyzeFlow(
    order.map((i, id) => ({ ...flowSites[i], id })),
    resolver,
    context.constants,
    sizeOf,
    context.mutation,
  );
  const ordered = order.map((i, id) => siteSyntax(sites[i], sites[i], id));
  const start = unit?.start ?? 0;
  const end = unit?.end ?? 0;
  return {
    start,
    end,
    fingerprint,
    sites: ordered,
    links: flow.links,
    scalars: [...flow.scalars],
    keys: ordered.map(siteKey),
    outside: unit !== null && !readingWithin(ordered, flow.links, flow.scalars.values(), start, end),
    partial: read.length < nodes.length,
    shapes: used,
  };
}

/** Child indices from `unit` down to `node`. */
function pathOf(node: PyNode, unit: PyNode): number[] {
  const path: number[] = [];
  for (let at: PyNode = node; at !== unit && at.parent; at = at.parent) path.push(at.parent.children.indexOf(at));
  return path.reverse();
}

/** The node at `path` below `unit` (the same place in a tree of the same text). */
function nodeAt(unit: PyNode, path: readonly number[]): PyNode {
  let node = unit;
  for (const index of path) node = node.children[index] ?? node;
  return node;
}

/** All readings as one list of sites in source order, with the facts renumbered to match. */
function combine(readings: UnitReading[]): Pick<FrontEndOutput, 'sites' | 'flow' | 'siteKeys'> {
  const all = readings.flatMap((reading, r) => reading.sites.map((site, local) => ({ site, r, local })));
  all.sort((a, b) => a.site.range.start - b.site.range.start);
  const ids = new Map<string, number>();
  all.forEach(({ r, local }, id) => ids.set(`${r}:${local}`, id));
  const links: ChainLink[] = [];
  const scalars = new Map<number, ScalarFactor[]>();
  readings.forEach((reading, r) => {
    const id = (local: number) => ids.get(`${r}:${local}`)!;
    for (const link of reading.links) links.push({ ...link, producer: id(link.producer), consumer: id(link.consumer) });
    for (const [local, factors] of reading.scalars) scalars.set(id(local), factors);
  });
  return {
    sites: all.map(({ site }, id) => siteSyntax(site, site, id)),
    flow: { links, scalars },
    siteKeys: all.map(({ r, local }) => readings[r].keys[local]),
  };
}

type SiteCore = Omit<SiteSyntax, 'statementRange' | 'context' | 'ignored'>;

/**
 * A site with `id`, every property spelled out in the order the spreads `{ ...core, ...located }`
 * gave them: spreading these twenty properties (three times a site) made slow dictionary-mode
 * objects, the largest allocation of reading the sites.
 */
function siteSyntax(core: SiteCore, located: Pick<SiteSyntax, 'statementRange' | 'context' | 'ignored'>, id: number): SiteSyntax {
  const { kind, library, callee, qualifiedName, calleeRange, range, equation, operands, dynamic, options, matmulTree, precompiled, via } = core;
  const { statementRange, context, ignored } = located;
  // `via` is absent (not undefined) on matrix products, as before.
  return 'via' in core
    ? { id, kind, library, callee, qualifiedName, calleeRange, range, equation, operands, dynamic, options, matmulTree, precompiled, via, statementRange, context, ignored }
    : { id, kind, library, callee, qualifiedName, calleeRange, range, equation, operands, dynamic, options, matmulTree, precompiled, statementRange, context, ignored };
}

function einsumSite(call: EinsumCall, reader: EinsumReader, imported: Library | null, text: string): SiteCore {
  const calleeNode = call.node.children.find((c) => c.field === 'function')!;
  const library = call.callee.library === 'einops' ? (reader.operandLibrary(call) ?? imported ?? 'unknown') : call.callee.library;
  const equation = call.sublists
    ? { ...call.equation, sublists: { ...call.sublists, output: call.sublists.output ?? null } }
    : call.equation;
  return {
    id: -1,
    kind: 'einsum',
    library,
    callee: textOf(text, calleeNode),
    qualifiedName: call.qualifiedName,
    calleeRange: rangeOf(calleeNode),
    range: rangeOf(call.node),
    equation,
    operands: reader.operands(call),
    dynamic: call.equation.dynamic || call.splatOperands,
    options: call.options,
    matmulTree: null,
    precompiled: call.callee.style === 'expression',
    via: call.via,
  };
}

function matmulSite(chain: MatmulChain, shapes: OperandShapes, imported: Library | null, text: string): SiteCore | null {
  const inferred = shapes.inferAll(chain.leaves);
  const ranks = inferred.map((i) => i.shape?.dims.length ?? null);
  // `dot` on arrays of more than two dimensions is no matrix product (nor associative): only known 1-D and 2-D operands chain.
  const dot = chain.callee === '.dot' || chain.qualifiedName.endsWith('.dot');
  if (dot && ranks.some((r) => r === null || r > 2)) return null;
  const equation = matmulChainEquation(ranks);
  if (!equation) return null;
  return {
    id: -1,
    kind: 'matmul-chain',
    library: chain.library ?? inferred.find((i) => i.library)?.library ?? imported ?? 'unknown',
    callee: chain.callee,
    qualifiedName: chain.qualifiedName,
    calleeRange: chain.calleeRange,
    range: rangeOf(chain.root),
    equation: { form: 'matmul', text: equation, dynamic: false, range: null, charRanges: null },
    operands: chain.leaves.map((leaf, i) => ({ text: textOf(text, leaf), range: rangeOf(leaf), shape: inferred[i].shape })),
    dynamic: false,
    options: {},
    matmulTree: chain.tree,
    precompiled: false,
  };
}

/** `x * c`, `c * x`, `x / c` with a constant c: x. */
function scaledTensor(node: PyNode, constants: ConstantEvaluator): PyNode | null {
  const op = binaryOperator(node);
  if (op !== '*' && op !== '/') return null;
  const left = field(node, 'left')!;
  const right = field(node, 'right')!;
  if (constants.evaluate(right) !== null) return left;
  return op === '*' && constants.evaluate(left) !== null ? right : null;
}

function siteContext(node: PyNode, resolver: NameResolver, around: CallContext): SiteContext {
  let scope = resolver.scopeAt(node);
  while ((scope.kind === 'comprehension' || scope.kind === 'lambda') && scope.parent) scope = scope.parent;
  let inLoop = false;
  let child = node;
  for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (parent.type === 'function_definition' || parent.type === 'lambda' || parent.type === 'class_definition') break;
    if ((parent.type === 'for_statement' || parent.type === 'while_statement') && child.field === 'body') inLoop = true;
    if (parent.type.endsWith('comprehension') || parent.type === 'generator_expression') inLoop = true;
  }
  const functionName = scope.kind === 'function' ? scope.name.slice(scope.name.lastIndexOf('.') + 1) : '';
  return {
    scope: scope.name,
    inLoop,
    inForward: functionName === 'forward' || functionName === '__call__',
    traced: around.traced(node),
    expectsError: around.expectsError(node),
  };
}

/** The array library the module imports at top level, for `@` and einops calls whose operands say nothing. */
function importedLibrary(module: Scope): Library | null {
  for (const [name, library] of [['torch', 'torch'], ['jax', 'jax'], ['tensorflow', 'tensorflow'], ['numpy', 'numpy']] as const) {
    if (importsModule(module, [name], false)) return library;
  }
  return null;
}

/** Whether one of `modules` (or a submodule) is imported in `scope`, or with `nested` anywhere below it. */
function importsModule(scope: Scope, modules: readonly string[], nested = true): boolean {
  const matches = (name: string | null) => name !== null && modules.some((m) => name === m || name.startsWith(`${m}.`));
  for (const bindings of scope.bindings.values()) {
    for (const b of bindings) if (b.kind === 'import' && matches(b.qualified)) return true;
  }
  if (scope.starImports.some(matches)) return true;
  return nested && scope.children.some((child) => importsModule(child, modules));
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end;
}

function rangeOf(node: { start: number; end: number }): { start: number; end: number } {
  return { start: node.start, end: node.end };
}
