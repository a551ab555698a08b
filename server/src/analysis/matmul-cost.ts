/**
 * Matrix-chain orders priced as opt_einsum prices pairwise products. Products only pair
 * neighbours (matmul is associative, not commutative), so the cheapest order is the classic
 * matrix-chain dynamic programme, not a general contraction path (which may pair operands that
 * are not neighbours, an outer product no `@` order can write).
 */
import type { Contraction } from '../core/contraction';
import { sizeProduct } from '../core/cost';
import type { MatmulTree } from './model';

/** Operands first..last of a chain, a product in the making. */
export interface Interval {
  first: number;
  last: number;
}

/** Pairwise products priced as opt_einsum prices them: every index involved, times two when one is summed. */
export class ChainCost {
  private readonly kept = new Map<string, number[]>();

  constructor(private readonly c: Contraction) {}

  get contraction(): Contraction {
    return this.c;
  }

  /** Labels of the product of operands first..last that something outside it still needs. */
  keptLabels({ first, last }: Interval): number[] {
    const key = `${first}:${last}`;
    let labels = this.kept.get(key);
    if (!labels) {
      const inside = new Set(this.c.inputs.slice(first, last + 1).flat());
      const outside = new Set([...this.c.output, ...this.c.inputs.filter((_, k) => k < first || k > last).flat()]);
      labels = [...inside].filter((l) => outside.has(l));
      this.kept.set(key, labels);
    }
    return labels;
  }

  product(left: Interval, right: Interval): bigint {
    const involved = new Set([...this.keptLabels(left), ...this.keptLabels(right)]);
    const result = new Set(this.keptLabels({ first: left.first, last: right.last }));
    const summed = [...involved].some((l) => !result.has(l));
    return sizeProduct(this.c, involved) * (summed ? 2n : 1n);
  }

  ofTree(tree: MatmulTree): bigint {
    const visit = (node: MatmulTree): { interval: Interval; flops: bigint } => {
      if (typeof node === 'number') return { interval: { first: node, last: node }, flops: 0n };
      const left = visit(node[0]);
      const right = visit(node[1]);
      return {
        interval: { first: left.interval.first, last: right.interval.last },
        flops: left.flops + right.flops + this.product(left.interval, right.interval),
      };
    };
    return visit(tree).flops;
  }

  bestTree(n: number): { tree: MatmulTree; flops: bigint } {
    const best: { flops: bigint; split: number }[][] = Array.from({ length: n }, () => []);
    for (let i = 0; i < n; i++) best[i][i] = { flops: 0n, split: -1 };
    for (let length = 2; length <= n; length++) {
      for (let first = 0; first + length - 1 < n; first++) {
        const last = first + length - 1;
        let choice: { flops: bigint; split: number } | null = null;
        for (let split = first; split < last; split++) {
          const flops =
            best[first][split].flops + best[split + 1][last].flops + this.product({ first, last: split }, { first: split + 1, last });
          // Ties keep the leftmost split: the left-to-right order Python already runs.
          if (!choice || flops < choice.flops) choice = { flops, split };
        }
        best[first][last] = choice!;
      }
    }
    const build = (first: number, last: number): MatmulTree => {
      if (first === last) return first;
      const split = best[first][last].split;
      return [build(first, split), build(split + 1, last)];
    };
    return { tree: build(0, n - 1), flops: best[0][n - 1].flops };
  }
}

