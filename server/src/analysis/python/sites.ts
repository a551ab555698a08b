/**
 * Einsum call sites: which calls are einsums (through any import form and alias), their
 * equation (literal, implicit concatenation, a name bound once to a string, numpy's
 * interleaved sublists, einops' pattern) and their operands with shapes.
 */
import type { SublistItem } from '../../core/equation';
import { EquationError, parseEquation, parseSublists, sublistLabel, type ParsedEquation } from '../../core/equation';
import type { EquationInfo, KnownShape, Library, OperandInfo, SiteOptions, SourceRange } from '../model';
import { equationTooLong } from '../source-size';
import { canonicalName, einsumCallee, type EinsumCallee } from './callees';
import type { ConstantEvaluator } from './constants';
import type { NameResolver } from './resolve';
import { readsAnyCharacter } from '../pricing';
import type { Inferred, OperandShapes } from './shapes';
import { concatDecoded, decodeStringLiteral, type DecodedString } from './strings';
import { field, namedChildren, textOf, unwrap, type PyNode } from './syntax';
import type { EinsumTarget, PresetOption, WrapperIndex } from './wrappers';

/** An einsum call as read from the source, before shapes are attached. */
export interface EinsumCall {
  node: PyNode;
  callee: EinsumCallee;
  qualifiedName: string;
  equation: EquationInfo;
  /** Sublist items for the interleaved form. */
  sublists: { operands: SublistItem[][]; output: SublistItem[] | undefined; itemRanges: SourceRange[][] } | null;
  operandNodes: PyNode[];
  /** `*operands`: the operand list is only known at run time. */
  splatOperands: boolean;
  options: SiteOptions;
  /** The wrapper the call goes through (`functools.partial of numpy.einsum`); null for a direct call. */
  via: string | null;
}

/** The last part of every einsum function's dotted name. */
const EINSUM_NAMES = new Set(['einsum', 'contract', 'contract_expression']);

const DYNAMIC_EQUATION = (form: EquationInfo['form'], range: SourceRange | null): EquationInfo => ({
  form,
  text: null,
  dynamic: true,
  range,
  charRanges: null,
});

export class EinsumReader {
  private readonly calls = new Map<PyNode, EinsumCall | null>();
  private readonly parsed = new Map<EinsumCall, ParsedEquation | null>();
  shapes: OperandShapes | null = null;

  constructor(
    private readonly resolver: NameResolver,
    private readonly constants: ConstantEvaluator,
    private readonly wrappers: WrapperIndex | null = null,
  ) {}

  private wrapperNames: Set<string> | null = null;

  /**
   * False when `calleeOf` finds no einsum for this attribute callee by its name alone (`compute`
   * then gives null): `couldName` with the einsum names, then with the wrappers' names.
   */
  private couldBeEinsum(calleeNode: PyNode): boolean {
    const attribute = field(calleeNode, 'attribute');
    if (!attribute) return false;
    const name = textOf(this.source, attribute);
    if (EINSUM_NAMES.has(name)) return true;
    if (!this.wrappers) return false;
    this.wrapperNames ??= this.wrappers.declaredNames();
    return this.wrapperNames.has(name);
  }

  /** The einsum a callee names directly, or runs through a wrapper. */
  private calleeOf(calleeNode: PyNode | null): { qualified: string; callee: EinsumCallee; target: EinsumTarget | null } | null {
    if (this.resolver.couldName(calleeNode, EINSUM_NAMES)) {
      const qualified = this.resolver.qualifiedName(calleeNode);
      const callee = einsumCallee(qualified);
      if (callee && qualified) return { qualified, callee, target: null };
    }
    if (!this.wrappers || !calleeNode) return null;
    this.wrapperNames ??= this.wrappers.declaredNames();
    // Only names (partials, forwarding functions) and declared functions can be wrappers.
    if (calleeNode.type !== 'identifier' && !this.resolver.couldName(calleeNode, this.wrapperNames)) return null;
    const target = this.wrappers.targetOf(calleeNode);
    return target ? { qualified: target.qualified, callee: target.callee, target } : null;
  }

  private get source(): string {
    return this.resolver.source;
  }

  /** The einsum this call node is, or null; `calleeNode` is its `function` field, when the caller has it. */
  read(node: PyNode, calleeNode: PyNode | null = field(node, 'function')): EinsumCall | null {
    if (node.type !== 'call') return null;
    // Most calls are methods or library functions by a name no einsum or wrapper has: they
    // are told apart by that name alone, without a table keyed by every call node.
    if (calleeNode?.type === 'attribute' && !this.couldBeEinsum(calleeNode)) return null;
    let call = this.calls.get(node);
    if (call === undefined) {
      call = this.compute(node);
      this.calls.set(node, call);
    }
    return call;
  }

  operandShapes(call: EinsumCall): (KnownShape | null)[] {
    if (call.callee.style === 'expression') return call.operandNodes.map((n) => this.literalShape(n));
    return this.shapes ? this.shapes.inferAll(call.operandNodes).map((i) => i.shape) : call.operandNodes.map(() => null);
  }

  operandLibrary(call: EinsumCall): Library | null {
    for (const n of call.operandNodes) {
      const library = this.shapes?.infer(n).library;
      if (library) return library;
    }
    return null;
  }

  operands(call: EinsumCall): OperandInfo[] {
    const shapes = this.operandShapes(call);
    return call.operandNodes.map((n, i) => ({ text: textOf(this.source, n), range: { start: n.start, end: n.end }, shape: shapes[i] }));
  }

  /** The parsed equation, or null when dynamic or invalid (evaluation reports the error). */
  parse(call: EinsumCall): ParsedEquation | null {
    let eq = this.parsed.get(call);
    if (eq !== undefined) return eq;
    eq = null;
    try {
      if (call.sublists) eq = parseSublists(call.sublists.operands, call.sublists.output, { wideLabels: call.callee.library === 'opt_einsum' });
      else if (call.equation.text !== null) {
        const style = call.callee.style === 'pattern-last' ? 'named' : 'letters';
        eq = parseEquation(call.equation.text, { style, anyCharacter: readsAnyCharacter(call.callee.library) });
      }
    } catch (error) {
      if (!(error instanceof EquationError)) throw error;
    }
    this.parsed.set(call, eq);
    return eq;
  }

  private compute(node: PyNode): EinsumCall | null {
    const calleeNode = field(node, 'function');
    const found = this.calleeOf(calleeNode);
    const args = field(node, 'arguments');
    if (!found || !args || args.type !== 'argument_list') return null;
    const { qualified, callee, target } = found;
    const all = namedChildren(args);
    const positional = all.filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat');
    const options = this.readOptions(all, callee, target);
    const base = { node, callee, qualifiedName: canonicalName(qualified), options, sublists: null, via: target?.via ?? null };
    const splat = positional.some((a) => a.type === 'list_splat');
    if (callee.style === 'pattern-last') {
      const pattern = positional[positional.length - 1];
      const equation = pattern ? this.equationFrom(pattern, 'einops') : DYNAMIC_EQUATION('einops', null);
      return { ...base, equation, operandNodes: positional.slice(0, -1), splatOperands: splat };
    }
    const first = positional[0];
    if (!first) return { ...base, equation: DYNAMIC_EQUATION('string', null), operandNodes: [], splatOperands: splat };
    const second = positional[1] ? unwrap(positional[1]) : null;
    // Decoded once: each character's source range is an object.
    const decoded = this.stringValue(first);
    if (decoded === null && callee.style === 'equation-first' && second && (second.type === 'list' || second.type === 'tuple')) {
      return this.interleaved(base, positional, splat);
    }
    let operandNodes = positional.slice(1);
    // torch's older form: `torch.einsum('ij,jk', [a, b])`.
    const only = operandNodes.length === 1 ? unwrap(operandNodes[0]) : null;
    if (callee.library === 'torch' && only && (only.type === 'list' || only.type === 'tuple')) operandNodes = [...namedChildren(only)];
    return { ...base, equation: this.equationFrom(first, 'string', decoded), operandNodes, splatOperands: splat };
  }

  private interleaved(base: Omit<EinsumCall, 'equation' | 'operandNodes' | 'splatOperands'>, positional: PyNode[], splat: boolean): EinsumCall {
    const operandNodes: PyNode[] = [];
    const lists: PyNode[] = [];
    positional.forEach((arg, i) => (i % 2 === 0 && i + 1 < positional.length ? operandNodes : lists).push(arg));
    const items = lists.map((list) => this.sublistItems(list));
    const start = positional[1].start;
    const range = { start, end: positional[positional.length - 1].end };
    if (splat || items.some((list) => list === null)) {
      return { ...base, equation: DYNAMIC_EQUATION('sublist', range), operandNodes, splatOperands: splat };
    }
    const known = items as { item: SublistItem; node: PyNode }[][];
    const hasOutput = lists.length > operandNodes.length;
    const sublists = {
      operands: known.slice(0, operandNodes.length).map((l) => l.map((x) => x.item)),
      output: hasOutput ? known[known.length - 1].map((x) => x.item) : undefined,
      itemRanges: known.map((l) => l.map((x) => ({ start: x.node.start, end: x.node.end }))),
    };
    // The letter equation parseSublists builds, with each letter mapped back to its item.
    const charRanges: SourceRange[] = [];
    let text = '';
    known.forEach((list, k) => {
      if (k > 0) {
        const sep = hasOutput && k === known.length - 1 ? '->' : ',';
        text += sep;
        for (let s = 0; s < sep.length; s++) charRanges.push({ start: lists[k].start, end: lists[k].start + 1 });
      }
      for (const { item, node } of list) {
        const letters = sublistLabel(item, { wideLabels: base.callee.library === 'opt_einsum' }) ?? '';
        text += letters;
        for (let s = 0; s < letters.length; s++) charRanges.push({ start: node.start, end: node.end });
      }
    });
    const equation: EquationInfo = { form: 'sublist', text, dynamic: false, range, charRanges };
    return { ...base, equation, sublists, operandNodes, splatOperands: false };
  }

  private sublistItems(list: PyNode): { item: SublistItem; node: PyNode }[] | null {
    const node = unwrap(list);
    if (node.type !== 'list' && node.type !== 'tuple') return null;
    const out: { item: SublistItem; node: PyNode }[] = [];
    for (const element of namedChildren(node)) {
      const inner = unwrap(element);
      if (inner.type === 'ellipsis' || (inner.type === 'identifier' && textOf(this.source, inner) === 'Ellipsis' && !this.resolver.resolve(inner))) {
        out.push({ item: '...', node: element });
        continue;
      }
      const value = this.constants.evaluate(element)?.value;
      if (value === undefined) return null;
      out.push({ item: value, node: element });
    }
    return out;
  }

  private equationFrom(node: PyNode, form: EquationInfo['form'], decoded = this.stringValue(node)): EquationInfo {
    const range = { start: node.start, end: node.end };
    if (decoded?.notRead) return { ...DYNAMIC_EQUATION(form, range), notRead: decoded.notRead };
    if (!decoded || decoded.value === null) return DYNAMIC_EQUATION(form, range);
    const origin = decoded.charRanges.length > 0 ? decoded.literalRange : range;
    return { form, text: decoded.value, dynamic: false, range: origin, charRanges: decoded.charRanges };
  }

  /** A string literal, implicit concatenation, or a name bound once to one; null otherwise. */
  private stringValue(node: PyNode, depth = 0): (DecodedString & { literalRange: SourceRange }) | null {
    const inner = unwrap(node);
    const range = { start: inner.start, end: inner.end };
    if (inner.type === 'string') return { ...decodeStringLiteral(textOf(this.source, inner), inner.start), literalRange: range };
    if (inner.type === 'concatenated_string') {
      const notRead = equationTooLong(inner.end - inner.start);
      if (notRead) return { value: null, charRanges: [], notRead, literalRange: range };
      const parts = namedChildren(inner).filter((p) => p.type === 'string');
      return { ...concatDecoded(parts.map((p) => decodeStringLiteral(textOf(this.source, p), p.start))), literalRange: range };
    }
    if (inner.type === 'identifier' && depth < 4) {
      const binding = this.resolver.resolveUnique(inner);
      if (binding?.kind === 'assign' && binding.value) return this.stringValue(binding.value, depth + 1);
    }
    return null;
  }

  /** Options the wrapper fixes, then the call's own keywords (as the wrapper passes them on). */
  private readOptions(args: readonly PyNode[], callee: EinsumCallee, target: EinsumTarget | null): SiteOptions {
    const options: SiteOptions = {};
    for (const [name, preset] of target?.preset ?? []) this.setOption(options, callee, name, preset);
    for (const arg of args) {
      if (arg.type !== 'keyword_argument') continue;
      const written = textOf(this.source, field(arg, 'name') ?? arg);
      const forwards = target?.forwards ?? 'all';
      const name = forwards === 'all' ? written : forwards.get(written);
      const value = field(arg, 'value');
      if (name && value) this.setOption(options, callee, name, { node: value });
    }
    return options;
  }

  private setOption(options: SiteOptions, callee: EinsumCallee, name: string, preset: PresetOption): void {
    if (!callee.options.includes(name)) return;
    if ('node' in preset) {
      const text = textOf(this.source, preset.node);
      const range = { start: preset.node.start, end: preset.node.end };
      if (name === 'optimize') options.optimize = { text, range, value: this.optimizeValue(preset.node) };
      else if (name === 'memory_limit') options.memoryLimit = { text, range, value: this.memoryLimitValue(preset.node) };
      return;
    }
    const { text, value, range } = preset;
    if (name === 'optimize') options.optimize = { text, range, value: typeof value === 'number' ? null : value };
    else if (name === 'memory_limit') options.memoryLimit = { text, range, value: typeof value === 'number' || value === 'max_input' ? value : null };
  }

  private optimizeValue(node: PyNode): boolean | string | number[][] | null {
    const inner = unwrap(node);
    if (inner.type === 'true') return true;
    if (inner.type === 'false') return false;
    const text = this.stringValue(inner)?.value;
    if (text !== undefined && text !== null) return text;
    if (inner.type !== 'list' && inner.type !== 'tuple') return null;
    // numpy's explicit path: ['einsum_path', (0, 1), (0, 1)]; opt_einsum's: [(0, 1), (0, 1)].
    const steps: number[][] = [];
    for (const [i, element] of namedChildren(inner).entries()) {
      if (i === 0 && this.stringValue(element)?.value === 'einsum_path') continue;
      const step = unwrap(element);
      if (step.type !== 'tuple' && step.type !== 'list') return null;
      const positions = namedChildren(step).map((p) => this.constants.evaluate(p)?.value);
      if (positions.some((p) => p === undefined || !Number.isInteger(p))) return null;
      steps.push(positions as number[]);
    }
    return steps;
  }

  private memoryLimitValue(node: PyNode): number | 'max_input' | null {
    const text = this.stringValue(node)?.value;
    if (text === 'max_input') return 'max_input';
    const inner = unwrap(node);
    if (inner.type === 'none') return null;
    return this.constants.evaluate(inner)?.value ?? null;
  }

  /** `contract_expression('ij,jk', (2, 3), (3, 4))`: the operands are shapes. */
  private literalShape(node: PyNode): KnownShape | null {
    const inner = unwrap(node);
    if (inner.type !== 'tuple' && inner.type !== 'list') return null;
    const source = { kind: 'constructor' as const, range: { start: inner.start, end: inner.end }, detail: textOf(this.source, inner) };
    const resolved = namedChildren(inner).map((item) => this.shapes!.dimOf(item, source));
    return { dims: resolved.map((r) => r.dim), source, dimSources: resolved.map((r) => r.source) };
  }
}

