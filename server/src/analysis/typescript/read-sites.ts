/**
 * Reading the sites of one group of top-level statements (a function, or all the module-level
 * code together) into the shared model: einsum calls and matMul chains with operand shapes,
 * where they sit, data flow between them and tfjs's limits. Site ids are local to the group;
 * the front end numbers them across the file.
 */
import ts from 'typescript';
import { EquationError, parseEquation } from '../../core/equation';
import type { AnalysisBudget } from '../budget';
import { matmulChainEquation } from '../matmul';
import type { FlowFacts, KnownShape, SiteDiagnostic, SiteSyntax, SourceRange } from '../model';
import { einsumResultKnown } from '../shapes/known';
import type { HintIndex } from '../python/hints';
import type { ConstantEvaluator } from './constants';
import { siteContext, statementOf } from './context';
import { analyzeFlow, type FlowSite } from './dataflow';
import { tfjsLimitDiagnostics } from './limits';
import { findMatmulChains, type MatmulChain } from './matmul-chains';
import { skipOuter, type NameResolver } from './names';
import { ShapeInference } from './shapes';
import { rangeOf, readEinsumCall, type EinsumCall } from './sites';

/** The sites of one group of statements, with ids 0..n-1 in source order. */
export interface GroupSites {
  sites: SiteSyntax[];
  flow: FlowFacts;
  /** tfjs's limits, by site id. */
  limits: Map<number, SiteDiagnostic[]>;
  /** The time limit cut the reading short: not to be kept for the next analysis. */
  partial: boolean;
}

export interface ReaderOptions {
  dims: Record<string, number>;
  einsumModules: readonly string[];
  /** The file imports tfjs: `.matMul()` and `.mul()` are tensor methods. */
  tensorMethods: boolean;
}

/** The per-analysis state every group shares: name resolution, constants, shapes (memoized). */
export class SiteReader {
  private readonly einsums = new Map<ts.Node, EinsumCall | null>();
  private readonly shapes: ShapeInference;

  constructor(
    private readonly names: NameResolver,
    private readonly constants: ConstantEvaluator,
    private readonly hints: HintIndex<ts.Node>,
    private readonly options: ReaderOptions,
    private readonly budget: AnalysisBudget,
  ) {
    this.shapes = new ShapeInference({
      names,
      constants,
      hints,
      dims: options.dims,
      siteResult: (node) => {
        const einsum = ts.isCallExpression(node) ? this.einsum(node) : null;
        return einsum ? this.einsumResult(einsum) : undefined;
      },
    });
  }

  private get sourceFile(): ts.SourceFile {
    return this.names.sourceFile;
  }

  /** The sites among `calls` (in source order, as the statements' facts list them). */
  read(calls: readonly ts.CallExpression[]): GroupSites {
    const found: { site: SiteSyntax; flow: FlowSite }[] = [];
    const read: ts.CallExpression[] = [];
    for (const call of calls) {
      if (!this.budget.read(() => rangeOf(call, this.sourceFile))) continue;
      read.push(call);
      const einsum = this.einsum(call);
      if (!einsum) continue;
      const site = this.einsumSite(einsum);
      found.push({ site, flow: { id: -1, kind: 'einsum', node: call, operandNodes: einsum.operandNodes, library: site.library, static: !site.dynamic } });
    }
    for (const chain of findMatmulChains(read, this.names, this.options.tensorMethods)) {
      const site = this.matmulSite(chain);
      if (site) found.push({ site, flow: { id: -1, kind: 'matmul-chain', node: chain.root, operandNodes: chain.leaves, library: 'tfjs', static: true } });
    }
    found.sort((a, b) => a.site.range.start - b.site.range.start);
    const sites = found.map(({ site }, id) => ({ ...site, id }));
    const flow = analyzeFlow(
      found.map((f, id) => ({ ...f.flow, id })),
      { names: this.names, constants: this.constants, tensorMethods: this.options.tensorMethods },
    );
    const limits = new Map<number, SiteDiagnostic[]>();
    for (const site of sites) {
      const errors = tfjsLimitDiagnostics(site);
      if (errors.length > 0) limits.set(site.id, errors);
    }
    return { sites, flow, limits, partial: read.length < calls.length };
  }

  private einsum(call: ts.CallExpression): EinsumCall | null {
    let einsum = this.einsums.get(call);
    if (einsum === undefined) {
      einsum = readEinsumCall(call, this.names, this.options.einsumModules);
      this.einsums.set(call, einsum);
    }
    return einsum;
  }

  private placed(node: ts.Node, range: SourceRange): Pick<SiteSyntax, 'statementRange' | 'context' | 'ignored'> {
    const text = this.sourceFile.text;
    return {
      statementRange: rangeOf(statementOf(node) ?? node, this.sourceFile),
      context: siteContext(node),
      ignored: this.hints.ignoredBetween(text.lastIndexOf('\n', range.start - 1) + 1, lineEnd(text, range.end)),
    };
  }

  private einsumSite(call: EinsumCall): SiteSyntax {
    const callee = skipOuter(call.node.expression);
    const range = rangeOf(call.node, this.sourceFile);
    return {
      id: -1,
      kind: 'einsum',
      library: call.library,
      callee: callee.getText(this.sourceFile),
      qualifiedName: call.qualifiedName,
      calleeRange: rangeOf(callee, this.sourceFile),
      range,
      equation: call.equation,
      operands: call.operandNodes.map((node) => ({ text: node.getText(this.sourceFile), range: rangeOf(node, this.sourceFile), shape: this.shapes.infer(node) })),
      dynamic: call.equation.dynamic || call.spreadOperands,
      options: {},
      matmulTree: null,
      precompiled: false,
      ...this.placed(call.node, range),
    };
  }

  private matmulSite(chain: MatmulChain): SiteSyntax | null {
    const shapes = chain.leaves.map((leaf) => this.shapes.infer(leaf));
    const equation = matmulChainEquation(shapes.map((shape) => shape?.dims.length ?? null));
    if (!equation) return null;
    const range = rangeOf(chain.root, this.sourceFile);
    return {
      id: -1,
      kind: 'matmul-chain',
      library: 'tfjs',
      callee: chain.callee,
      qualifiedName: chain.qualifiedName,
      calleeRange: chain.calleeRange,
      range,
      equation: { form: 'matmul', text: equation, dynamic: false, range: null, charRanges: null },
      operands: chain.leaves.map((leaf, i) => ({ text: leaf.getText(this.sourceFile), range: rangeOf(leaf, this.sourceFile), shape: shapes[i] })),
      dynamic: false,
      options: {},
      matmulTree: chain.tree,
      precompiled: false,
      ...this.placed(chain.root, range),
    };
  }

  /** The shape an einsum returns, for later contractions that use it. */
  private einsumResult(call: EinsumCall): KnownShape | null {
    if (call.equation.text === null || call.spreadOperands) return null;
    let eq;
    try {
      eq = parseEquation(call.equation.text, { style: 'letters' });
    } catch (error) {
      if (error instanceof EquationError) return null;
      throw error;
    }
    const source = { ...this.shapes.expressionSource(call.node), kind: 'einsum-result' as const, detail: 'einsum result' };
    return einsumResultKnown(eq, call.operandNodes.map((node) => this.shapes.infer(node)), source);
  }
}

function lineEnd(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end;
}
