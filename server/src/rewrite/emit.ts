/**
 * Per-library spelling of one einsum call. The callee is reused exactly as the file wrote it
 * (`T.einsum`, `oe.contract`, `einsum` from `from numpy import einsum`), so the rewrite needs no
 * new import and honours the file's aliases.
 */
import type { ContractionSite, Library } from '../analysis/model';
import type { LabelStyle } from './labels';
import { RewriteRefusal } from './refusal';

export interface EinsumStyle {
  callee: string;
  labels: LabelStyle;
  /** einops puts the pattern after the tensors; every other library puts the equation first. */
  equationLast: boolean;
  quote: string;
}

const EINSUM_LIBRARIES: ReadonlySet<Library> = new Set(['numpy', 'torch', 'jax', 'tensorflow', 'opt_einsum', 'einops']);

export function einsumStyle(site: ContractionSite, text: string): EinsumStyle {
  if (site.kind !== 'einsum' || !EINSUM_LIBRARIES.has(site.library)) {
    throw new RewriteRefusal(`no einsum spelling is known for ${site.qualifiedName}`);
  }
  const einops = site.equation.form === 'einops' || site.qualifiedName.startsWith('einops.');
  return {
    callee: site.callee,
    labels: einops ? 'named' : 'letters',
    equationLast: einops,
    quote: quoteOf(site, text),
  };
}

/** The quote character of the equation literal as written, so the rewrite matches the file. */
function quoteOf(site: ContractionSite, text: string): string {
  const range = site.equation.range;
  const literal = range && site.equation.form !== 'sublist' ? text.slice(range.start, range.end) : '';
  const match = /^[rRbBuU]*(["'])/.exec(literal);
  return match ? match[1] : "'";
}

export function einsumCall(style: EinsumStyle, equation: string, args: readonly string[]): string {
  const literal = `${style.quote}${equation}${style.quote}`;
  const all = style.equationLast ? [...args, literal] : [literal, ...args];
  return `${style.callee}(${all.join(', ')})`;
}
