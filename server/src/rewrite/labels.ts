/**
 * Writing equations the target library accepts. Letter libraries (numpy, torch, jax, tf,
 * opt_einsum) take one ASCII letter per label; einops takes identifiers. Labels keep the
 * user's spelling where it is valid and unique (a fused chain can bring two labels of the same
 * name), and broadcast dimensions are written `...` only where `...` means exactly them.
 */
import type { Contraction } from '../core/contraction';
import { formatTerm } from '../core/equation';
import { RewriteRefusal } from './refusal';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type LabelStyle = 'letters' | 'named';

/** A contraction whose label names are valid for `style`, ready to format terms. */
export interface LabelledContraction {
  contraction: Contraction;
  style: LabelStyle;
}

export function relabel(c: Contraction, style: LabelStyle): LabelledContraction {
  const ellipsis = new Set(c.ellipsisLabels ?? []);
  const names: string[] = [];
  const used = new Set<string>();
  const pending: number[] = [];
  c.labels.forEach((label, id) => {
    if (ellipsis.has(id)) {
      names[id] = label;
      return;
    }
    const valid = style === 'letters' ? label.length === 1 && LETTERS.includes(label) : IDENTIFIER.test(label);
    if (valid && !used.has(label)) {
      names[id] = label;
      used.add(label);
    } else {
      pending.push(id);
    }
  });
  for (const id of pending) names[id] = freshLabel(style, c.labels[id], used);
  return { contraction: { ...c, labels: names, style: style === 'named' ? 'named' : 'letters' }, style };
}

function freshLabel(style: LabelStyle, original: string, used: Set<string>): string {
  if (style === 'letters') {
    const letter = [...LETTERS].find((l) => !used.has(l));
    if (letter === undefined) {
      throw new RewriteRefusal(`the contraction has more than ${LETTERS.length} labels, more than one-letter labels can name`);
    }
    used.add(letter);
    return letter;
  }
  const base = original.replace(/[^A-Za-z0-9_]/g, '') || 'axis';
  const stem = /^[A-Za-z_]/.test(base) ? base : `axis${base}`;
  let name = stem;
  for (let k = 2; used.has(name); k++) name = `${stem}_${k}`;
  used.add(name);
  return name;
}

/** One term (`ij`, `b i j`, `...ij`); refuses where `...` cannot stand for the broadcast dimensions. */
export function term(lc: LabelledContraction, labels: readonly number[]): string {
  const text = formatTerm(lc.contraction, labels);
  if (text.includes('…')) {
    throw new RewriteRefusal("the broadcast dimensions would not be contiguous and right-aligned, so '...' cannot name them");
  }
  return text;
}

/** `ij,jk->ik` (letters) or `i j, j k -> i k` (named). */
export function stepEquation(lc: LabelledContraction, operands: readonly (readonly number[])[], result: readonly number[]): string {
  const named = lc.style === 'named';
  const inputs = operands.map((t) => term(lc, t)).join(named ? ', ' : ',');
  return `${inputs}${named ? ' -> ' : '->'}${term(lc, result)}`;
}
