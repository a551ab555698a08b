/**
 * Fusing chains: einsums whose results only feed the next einsum become one contraction, so
 * the optimizer can order all the operands together instead of one statement at a time.
 */
import type { Contraction, LabelSize } from '../core/contraction';
import { formatEquation } from '../core/equation';
import type { CostCache } from './evaluate';
import type { AnalysisOptions, ChainInfo, ChainLink, ContractionSite, OperandInfo } from './model';
import { flopRatio } from '../core/counts';
import { costOfPath } from '../core/cost';
import { compareCosts } from '../core/dominance';
import { Polynomial } from '../core/symbolic';
import { rangesOf } from './size-verdict';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function fuseChains(sites: ContractionSite[], links: ChainLink[], options: AnalysisOptions, cache: CostCache): ChainInfo[] {
  const byId = new Map(sites.map((s) => [s.id, s]));
  const usable = links.filter((link) => {
    const producer = byId.get(link.producer)?.contraction;
    const consumer = byId.get(link.consumer)?.contraction;
    return producer && consumer && consumer.inputs[link.operand]?.length === producer.output.length && !hasUnknownEllipsis(byId.get(link.producer)!) && !hasUnknownEllipsis(byId.get(link.consumer)!);
  });
  const feeding = new Map<number, ChainLink[]>();
  const produced = new Set<number>();
  for (const link of usable) {
    feeding.set(link.consumer, [...(feeding.get(link.consumer) ?? []), link]);
    produced.add(link.producer);
  }
  const chains: ChainInfo[] = [];
  for (const root of sites) {
    if (!feeding.has(root.id) || produced.has(root.id)) continue;
    const chain = fuse(root, byId, feeding, chains.length, options, cache);
    for (const member of chain.members) byId.get(member)!.chain = chain.id;
    chains.push(chain);
  }
  return chains;
}

/** Broadcast dimensions of unknown width cannot be given explicit labels in a fused equation. */
function hasUnknownEllipsis(site: ContractionSite): boolean {
  return (site.equation.text ?? '').includes('...') && site.operands.some((o) => !o.shape);
}

class LabelClasses {
  private readonly parent = new Map<string, string>();
  find(key: string): string {
    let root = key;
    while (this.parent.has(root)) root = this.parent.get(root)!;
    return root;
  }
  union(a: string, b: string): void {
    const x = this.find(a);
    const y = this.find(b);
    if (x !== y) this.parent.set(x, y);
  }
}

function fuse(
  root: ContractionSite,
  byId: Map<number, ContractionSite>,
  feeding: Map<number, ChainLink[]>,
  id: number,
  options: AnalysisOptions,
  cache: CostCache,
): ChainInfo {
  const classes = new LabelClasses();
  const members: ContractionSite[] = [];
  const links: ChainLink[] = [];
  const leaves: { site: ContractionSite; operand: number }[] = [];
  const visit = (site: ContractionSite) => {
    members.push(site);
    const c = site.contraction!;
    c.inputs.forEach((term, k) => {
      const link = feeding.get(site.id)?.find((l) => l.operand === k);
      if (!link) return leaves.push({ site, operand: k });
      links.push(link);
      const producer = byId.get(link.producer)!;
      // The producer's output dimensions are the consumer's operand dimensions.
      producer.contraction!.output.forEach((label, i) => classes.union(`${producer.id}:${label}`, `${site.id}:${term[i]}`));
      visit(producer);
    });
  };
  visit(root);
  const ids = new Map<string, number>();
  const sizes: LabelSize[] = [];
  /** The size is unknown and only named after its label in one member: another member's `i` is another size. */
  const unnamed: boolean[] = [];
  const wanted: string[] = [];
  const labelOf = (site: ContractionSite, label: number): number => {
    const key = classes.find(`${site.id}:${label}`);
    let global = ids.get(key);
    const size = site.contraction!.sizes[label];
    const fallback = size.symbol !== null && size.symbol === site.contraction!.labels[label];
    if (global === undefined) {
      global = ids.size;
      ids.set(key, global);
      sizes.push(size);
      unnamed.push(fallback);
      wanted.push(site.contraction!.labels[label]);
    } else if (sizes[global].symbol !== null && (size.symbol === null || (unnamed[global] && !fallback))) {
      // A known size beats a symbol, a named symbol (`nocc`) one named after a label.
      sizes[global] = size;
      unnamed[global] = fallback;
    }
    return global;
  };
  // The root's labels first, so the fused equation reads like the code.
  const output = root.contraction!.output.map((l) => labelOf(root, l));
  root.contraction!.inputs.flat().forEach((l) => labelOf(root, l));
  const inputs = leaves.map(({ site, operand }) => site.contraction!.inputs[operand].map((l) => labelOf(site, l)));
  const names = labelNames(wanted);
  // Unknown sizes are named after their fused label, one name per dimension (`i` in two members may be two sizes).
  const named = new Set(sizes.filter((s, g) => s.symbol !== null && !unnamed[g]).map((s) => s.symbol));
  sizes.forEach((size, g) => {
    if (size.symbol !== null && unnamed[g]) sizes[g] = { ...size, symbol: named.has(names.labels[g]) ? `${names.labels[g]}′` : names.labels[g] };
  });
  // Each member with the fused sizes, so symbols name the same dimensions in every member.
  const renamed = new Map(members.map((m) => [m.id, { ...m.contraction!, sizes: m.contraction!.sizes.map((_, l) => sizes[labelOf(m, l)]) }]));
  const contraction: Contraction = { inputs, output, ...names, sizes };
  const operands: OperandInfo[] = leaves.map(({ site, operand }) => site.operands[operand]);
  const ordered = members.sort((a, b) => a.range.start - b.range.start);
  const symbolic = sizes.some((s) => s.symbol !== null);
  const baselines = ordered.map((m) => m.baseline?.flops ?? null);
  const baselineFlops = baselines.every((f) => f !== null) ? baselines.reduce((a, b) => a! + b!, 0n) : null;
  const best = cache.best(contraction, options, symbolic);
  let sizeVerdict = null;
  let ownBestScaling = null;
  if (symbolic && members.every((m) => m.best)) {
    const memberBest = members.reduce((sum, m) => sum.add(costOfPath(renamed.get(m.id)!, m.best!.path).flopsPolynomial), Polynomial.constant(0));
    sizeVerdict = compareCosts(memberBest, costOfPath(contraction, best.path).flopsPolynomial, options.minSpeedup ?? 2, rangesOf(options));
    ownBestScaling = memberBest.scalingString();
  }
  return {
    id,
    members: ordered.map((m) => m.id),
    root: root.id,
    links,
    fused: { equation: formatEquation(contraction), operands, contraction },
    baselineFlops,
    best,
    speedup: baselineFlops !== null && !symbolic ? flopRatio(baselineFlops, best.flops) : null,
    blocked: links.find((l) => l.blocked)?.blocked ?? null,
    factors: links.flatMap((l) => l.factors ?? []),
    sizeVerdict,
    ownBestScaling,
  };
}

/** Keeps each label's own letter unless another label took it first; fresh letters otherwise. */
function labelNames(wanted: string[]): { labels: string[]; style: 'letters' | 'named' } {
  if (wanted.length > LETTERS.length) return { labels: wanted.map((_, i) => `d${i}`), style: 'named' };
  const taken = new Set<string>();
  const labels = wanted.map((name) => {
    const own = name.length === 1 && LETTERS.includes(name) && !taken.has(name) ? name : null;
    const chosen = own ?? [...LETTERS].find((l) => !taken.has(l) && !wanted.includes(l)) ?? [...LETTERS].find((l) => !taken.has(l))!;
    taken.add(chosen);
    return chosen;
  });
  return { labels, style: 'letters' };
}
