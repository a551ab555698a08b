/** Following offsets through text edits, to reuse what was read before the edits. */
import type { ChainLink, KnownShape, ScalarFactor, ShapeSource, SiteOptions, SiteSyntax, SourceRange, Unsafe } from '../model';
import type { TextEdit } from './parser';

/** Where an offset of the old text is now; null when the edits replaced it. */
export type OffsetMap = (offset: number) => number | null;

export function offsetMapOf(edits: readonly TextEdit[]): OffsetMap {
  return (offset) => {
    let at: number | null = offset;
    for (const edit of edits) {
      if (at === null) return null;
      const delta = edit.text.length - (edit.end - edit.start);
      // An insertion pushes what follows it; a replacement swallows what it replaced.
      if (at < edit.start || (at === edit.start && edit.end > edit.start)) continue;
      at = at >= edit.end ? at + delta : null;
    }
    return at;
  };
}

/** Thrown inside a copy when a range was edited away; caught by `moveRanges`. */
class RangeLost extends Error {}

/** Copies values shaped like the model, moving every range through `map`. */
export class RangeMover {
  constructor(private readonly map: OffsetMap) {}

  range(range: SourceRange): SourceRange {
    const start = this.map(range.start);
    const end = this.map(range.end);
    if (start === null || end === null) throw new RangeLost();
    return { start, end };
  }

  optional(range: SourceRange | null): SourceRange | null {
    return range === null ? null : this.range(range);
  }

  source(source: ShapeSource): ShapeSource {
    return { kind: source.kind, range: this.optional(source.range), detail: source.detail };
  }

  shape(shape: KnownShape | null): KnownShape | null {
    if (!shape) return null;
    return { dims: shape.dims, source: this.source(shape.source), dimSources: shape.dimSources.map((s) => this.source(s)) };
  }

  site(site: SiteSyntax): SiteSyntax {
    const equation = site.equation;
    const sublists = equation.sublists;
    const options: SiteOptions = {};
    if (site.options.optimize) options.optimize = { ...site.options.optimize, range: this.range(site.options.optimize.range) };
    if (site.options.memoryLimit) options.memoryLimit = { ...site.options.memoryLimit, range: this.range(site.options.memoryLimit.range) };
    return {
      ...site,
      calleeRange: this.range(site.calleeRange),
      range: this.range(site.range),
      statementRange: this.range(site.statementRange),
      equation: {
        ...equation,
        range: this.optional(equation.range),
        charRanges: equation.charRanges && equation.charRanges.map((r) => this.range(r)),
        ...(sublists ? { sublists: { ...sublists, itemRanges: sublists.itemRanges.map((list) => list.map((r) => this.range(r))) } } : {}),
      },
      operands: site.operands.map((o) => ({ text: o.text, range: this.range(o.range), shape: this.shape(o.shape) })),
      options,
    };
  }

  factor(factor: ScalarFactor): ScalarFactor {
    const moved = { ...factor, range: this.range(factor.range), applicationRange: this.range(factor.applicationRange) };
    if (factor.nestedIn) moved.nestedIn = { ...factor.nestedIn, range: this.range(factor.nestedIn.range) };
    if (factor.unsafe) moved.unsafe = this.unsafe(factor.unsafe);
    return moved;
  }

  link(link: ChainLink): ChainLink {
    const moved = { ...link, statementRange: this.optional(link.statementRange) };
    if (link.blocked) moved.blocked = this.unsafe(link.blocked);
    if (link.factors) moved.factors = link.factors.map((f) => this.factor(f));
    return moved;
  }

  private unsafe(unsafe: Unsafe): Unsafe {
    return { ...unsafe, at: this.optional(unsafe.at) };
  }
}

/** `copy(mover)` with ranges moved through `map`; null when some range was edited away. */
export function moveRanges<T>(map: OffsetMap, copy: (mover: RangeMover) => T): T | null {
  try {
    return copy(new RangeMover(map));
  } catch (error) {
    if (error instanceof RangeLost) return null;
    throw error;
  }
}

/** Whether every range a reading holds lies within [start, end] (its unit), so it moves with the unit. */
export function readingWithin(sites: SiteSyntax[], links: ChainLink[], scalars: Iterable<ScalarFactor[]>, start: number, end: number): boolean {
  const inside = (r: SourceRange | null) => r === null || (r.start >= start && r.end <= end);
  const shapeInside = (shape: KnownShape | null) => !shape || (inside(shape.source.range) && shape.dimSources.every((d) => inside(d.range)));
  for (const site of sites) {
    if (!inside(site.equation.range) || !(site.equation.charRanges ?? []).every(inside)) return false;
    if (!site.operands.every((o) => inside(o.range) && shapeInside(o.shape))) return false;
  }
  if (!links.every((link) => inside(link.statementRange) && inside(link.blocked?.at ?? null))) return false;
  for (const factors of [...scalars, ...links.map((link) => link.factors ?? [])]) {
    if (!factors.every((f) => inside(f.range) && inside(f.applicationRange) && inside(f.nestedIn?.range ?? null) && inside(f.unsafe?.at ?? null))) return false;
  }
  return true;
}
