/**
 * What the sites of one module see of the shape analysis: the shape each operand holds as the
 * language-neutral model spells it (sizes as numbers, symbol names or unknown, each with where
 * it came from). Symbols are named per site so two different ones never share a name there;
 * named sizes take their value from hint comments or the dims table.
 */
import type { Dim } from '../../core/contraction';
import type { KnownShape, Library, ShapeSource } from '../model';
import { constantValue, type Size } from '../shapes/sizes';
import type { Origin, ShapeValue, Value } from '../shapes/values';
import type { PythonModule } from './program';
import type { ShapeAnalysis } from './shape-analysis';
import type { PyNode } from './syntax';

export interface Inferred {
  shape: KnownShape | null;
  /** The array library the value belongs to, when known (picks einops' backend and `@`'s library). */
  library: Library | null;
}

const UNKNOWN_INFERRED: Inferred = { shape: null, library: null };

/** What sites read of shapes: one operand, a site's operands together, a written dimension. */
export interface OperandShapes {
  infer(node: PyNode | null): Inferred;
  inferAll(nodes: readonly PyNode[]): Inferred[];
  dimOf(node: PyNode, base: ShapeSource): { dim: Dim; source: ShapeSource };
}

export class ShapeInference implements OperandShapes {
  constructor(
    readonly analysis: ShapeAnalysis,
    readonly module: PythonModule,
    private readonly dims: Readonly<Record<string, number>>,
  ) {}

  /** The shape an expression holds where it is evaluated, or null when it is not known. */
  infer(node: PyNode | null): Inferred {
    return node ? this.inferAll([node])[0] : UNKNOWN_INFERRED;
  }

  /** The operands of one site, with symbols named so that different ones get different names. */
  inferAll(nodes: readonly PyNode[]): Inferred[] {
    const namer = new SiteNamer(this.analysis);
    return nodes.map((node) => {
      const value = this.analysis.valueAt(node);
      if (!value || value.t !== 'array') return scalarOrUnknown(value);
      return { shape: value.shape && this.known(value.shape, value.origin, node, namer), library: value.library };
    });
  }

  /** A dimension written as an expression (a literal shape of `contract_expression`). */
  dimOf(node: PyNode, base: ShapeSource): { dim: Dim; source: ShapeSource } {
    const value = this.analysis.valueAt(node);
    if (value?.t !== 'int') return { dim: null, source: base };
    const namer = new SiteNamer(this.analysis);
    return { dim: this.dim(value.dim.size, node, namer), source: this.source(value.dim.origin, () => base) };
  }

  private known(shape: ShapeValue, origin: Origin | undefined, node: PyNode, namer: SiteNamer): KnownShape {
    // The expression's own text, only when the origin does not say where the shape came from.
    let fallback: ShapeSource | null = null;
    const fallbackOf = () => (fallback ??= { kind: 'constructor', range: { start: node.start, end: node.end }, detail: this.analysis.detailIn(this.module, node) });
    const source = origin ? this.source(origin, fallbackOf) : fallbackOf();
    return {
      dims: shape.dims.map((d) => this.dim(d.size, node, namer)),
      source,
      dimSources: shape.dims.map((d) => this.dimSource(d.size, d.origin, node, source, namer)),
    };
  }

  /** A size as the model spells it: a number, a symbol's name (`2·b·n`), or null. */
  private dim(size: Size, at: PyNode, namer: SiteNamer): Dim {
    if (size === null) return null;
    const value = constantValue(size);
    if (value !== null) return value;
    let coefficient = size.coefficient;
    const names: string[] = [];
    for (const [symbol, power] of size.symbols) {
      const name = namer.name(symbol);
      const known = this.namedSize(name, at);
      if (known !== null) coefficient *= known.value ** power;
      else names.push(power === 1 ? name : `${name}^${power}`);
    }
    if (names.length === 0) return coefficient;
    return coefficient === 1 ? names.join('·') : `${coefficient}·${names.join('·')}`;
  }

  /** A named size's value: a hint (`# einsight: batch=32`) in scope, else the dims table. */
  private namedSize(name: string, at: PyNode): { value: number; source: ShapeSource } | null {
    const hint = this.module.hints.dim(name, at.start, this.module.resolver.scopeAt(at));
    if (hint) return { value: hint.value, source: { kind: 'hint', range: hint.range, detail: `${name}=${hint.value}` } };
    if (Object.hasOwn(this.dims, name)) return { value: this.dims[name], source: { kind: 'dims', range: null, detail: `${name}=${this.dims[name]}` } };
    return null;
  }

  private dimSource(size: Size, origin: Origin, at: PyNode, base: ShapeSource, namer: SiteNamer): ShapeSource {
    // A size set by a hint or the dims table says so; otherwise where the code made it.
    if (size && size.symbols.length === 1) {
      const named = this.namedSize(namer.name(size.symbols[0][0]), at);
      if (named) return named.source;
    }
    return this.source(origin, () => base);
  }

  /** Where `origin` says a size came from; `base` (made only when needed) for a literal. */
  private source(origin: Origin, base: () => ShapeSource): ShapeSource {
    if (origin.at === null && origin.detail === 'literal') return base();
    const at = origin.at;
    const here = at !== null && at.file === this.module.file;
    const source: ShapeSource = { kind: origin.kind, range: here ? { start: at.node.start, end: at.node.end } : null, detail: origin.detail };
    if (at && !here) source.location = this.location(at.file, at.node.start);
    if (origin.via) source.via = this.source(origin.via, base);
    return source;
  }

  /** `file:line` of an offset in another module of the program. */
  private location(file: string, offset: number): string {
    const text = this.analysis.program.module(file)?.text;
    const line = text ? text.slice(0, offset).split('\n').length : 0;
    // A URI (the language server's index) is shown by its file name; a path as given.
    const name = /^[a-z][a-z0-9+.-]*:\/\//i.test(file) ? decodeURIComponent(file.slice(file.lastIndexOf('/') + 1)) : file;
    return line > 0 ? `${name}:${line}` : name;
  }
}

/** A Python number as an operand is a scalar (rank 0); anything else not an array is unknown. */
function scalarOrUnknown(value: Value | null): Inferred {
  if (value && (value.t === 'int' || value.t === 'float' || value.t === 'bool')) {
    return { shape: { dims: [], source: { kind: 'constant', range: null, detail: 'a number' }, dimSources: [] }, library: null };
  }
  return UNKNOWN_INFERRED;
}

/** Names the symbols of one site: a symbol keeps its name unless another one there has it already. */
class SiteNamer {
  private readonly byId = new Map<number, string>();
  private readonly taken = new Set<string>();

  constructor(private readonly analysis: ShapeAnalysis) {}

  name(id: number): string {
    let name = this.byId.get(id);
    if (name !== undefined) return name;
    const base = this.analysis.symbols.name(id);
    name = base;
    while (this.taken.has(name)) name = `${name}′`;
    this.byId.set(id, name);
    this.taken.add(name);
    return name;
  }
}
