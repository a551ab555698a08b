/**
 * Provenance made only when read: a join point's key and origin, and an origin's text. The
 * shape analysis makes one of each at every join and every value it creates; most are never
 * shown.
 */
import type { ShapeSourceKind } from '../model';
import type { SymbolTable } from '../shapes/sizes';
import type { JoinPoint, Origin } from '../shapes/values';
import type { Frame } from './frame';
import type { PythonModule } from './program';
import type { ShapeAnalysis } from './shape-analysis';
import { textOf, type PyNode } from './syntax';

const DETAIL_LENGTH = 60;

/** Short text of an expression for provenance: `torch.randn(7, 4, 5)`. */
export function shortDetail(module: PythonModule, node: PyNode): string {
  const text = textOf(module.text, node).replace(/\s+/g, ' ');
  return text.length > DETAIL_LENGTH ? `${text.slice(0, DETAIL_LENGTH - 1)}…` : text;
}

/**
 * A join point whose key and origin are made when first read. A class: an object literal with
 * getters, made at every join, cost more than the joins themselves.
 */
export class LazyJoinPoint implements JoinPoint {
  readonly symbolic = true;
  readonly symbols: SymbolTable;
  private keyText: string | null = null;
  private madeOrigin: Origin | null = null;

  constructor(
    private readonly analysis: ShapeAnalysis,
    private readonly frame: Frame,
    private readonly at: PyNode,
    readonly name: string,
  ) {
    this.symbols = analysis.symbols;
  }

  get key(): string {
    this.keyText ??= `${this.frame.context}${this.analysis.nodeId(this.at)}:${this.name}`;
    return this.keyText;
  }

  get origin(): Origin {
    this.madeOrigin ??= this.analysis.origin(this.frame, this.at, 'merge');
    return this.madeOrigin;
  }
}

/** An origin whose text is sliced from the module only when someone reads it (hover, reports). */
export class NodeOrigin implements Origin {
  private text: string | null = null;

  constructor(
    readonly kind: ShapeSourceKind,
    private readonly module: PythonModule,
    private readonly node: PyNode,
  ) {}

  private place: Origin['at'] = null;

  get at(): Origin['at'] {
    this.place ??= { file: this.module.file, node: this.node };
    return this.place;
  }

  get detail(): string {
    this.text ??= shortDetail(this.module, this.node);
    return this.text;
  }
}
