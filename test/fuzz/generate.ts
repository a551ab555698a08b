/** Seeded generators of equations, shapes and mutations for the fuzzers. */
import { seededRandom } from 'einsight-server/core/random';

export type Random = () => number;

export function makeRandom(seed: number): Random {
  return seededRandom(seed);
}

export const int = (random: Random, n: number) => Math.floor(random() * n);
export const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)];

/** Letters numpy accepts, plus the Unicode symbols opt_einsum uses past 52 labels. */
const LABELS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', ...'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßαβγδεζηθ'];
/** Characters a mutation may insert: syntax, digits, spaces, astral and control characters. */
const NOISE = [...',->.  \t\n0123456789()[]{}*+_"\'\\', '😀', '\u0000', '\u200b', 'é', '…', '→', ...LABELS.slice(0, 10)];

export interface GeneratedEquation {
  text: string;
  /** One shape per operand; some dims symbolic (names), unknown (null), huge or zero. */
  shapes: (number | string | null)[][];
}

/** A valid-looking equation over up to `maxOperands` operands, with shapes to match. */
export function randomEquation(random: Random, maxOperands: number): GeneratedEquation {
  const operands = 1 + int(random, maxOperands);
  const labelCount = 1 + int(random, Math.min(LABELS.length, 2 + operands * 2));
  const sizes = LABELS.slice(0, labelCount).map(() => randomSize(random));
  const terms: string[] = [];
  const shapes: (number | string | null)[][] = [];
  const useEllipsis = random() < 0.1;
  const ellipsisWidth = int(random, 3);
  for (let k = 0; k < operands; k++) {
    const rank = int(random, 5);
    const labels = Array.from({ length: rank }, () => int(random, labelCount));
    let term = labels.map((l) => LABELS[l]).join('');
    const shape = labels.map((l) => sizes[l]);
    if (useEllipsis && random() < 0.7) {
      term = `...${term}`;
      shape.unshift(...Array.from({ length: ellipsisWidth }, () => pick(random, [1, 3, 'B'] as const)));
    }
    terms.push(term);
    shapes.push(shape);
  }
  let text = terms.join(random() < 0.2 ? ', ' : ',');
  if (random() < 0.7) {
    const present = [...new Set(terms.join('').replace(/\./g, ''))];
    const output = present.filter(() => random() < 0.3).join('');
    text += `->${useEllipsis && random() < 0.5 ? '...' : ''}${output}`;
  }
  return { text, shapes };
}

function randomSize(random: Random): number | string | null {
  const roll = random();
  if (roll < 0.6) return 1 + int(random, 12);
  if (roll < 0.7) return pick(random, [0, 1, 100000, 2 ** 31, 10 ** 9]);
  if (roll < 0.85) return pick(random, ['N', 'B', 'batch', 'd_model']);
  return null;
}

/** One to three random edits: insert, delete or replace characters. */
export function mutate(random: Random, text: string): string {
  let out = text;
  const edits = 1 + int(random, 3);
  for (let e = 0; e < edits; e++) {
    const at = int(random, out.length + 1);
    const roll = random();
    if (roll < 0.4) out = out.slice(0, at) + pick(random, NOISE) + out.slice(at);
    else if (roll < 0.7) out = out.slice(0, at) + out.slice(at + 1 + int(random, 3));
    else out = out.slice(0, at) + pick(random, NOISE) + out.slice(at + 1);
  }
  return out;
}

/** A shape list damaged the way user input is: wrong ranks, negative or fractional sizes. */
export function mutateShapes(random: Random, shapes: (number | string | null)[][]): (number | string | null)[][] {
  const copy = shapes.map((s) => [...s]);
  if (copy.length === 0) return copy;
  const target = copy[int(random, copy.length)];
  const roll = random();
  if (roll < 0.3) target.push(2);
  else if (roll < 0.5) target.pop();
  else if (roll < 0.7 && target.length > 0) target[int(random, target.length)] = pick(random, [-1, 2.5, NaN, 7]);
  else copy.pop();
  return copy;
}
