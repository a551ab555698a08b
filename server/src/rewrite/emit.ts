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
  /** Keyword arguments every step keeps (`optimize=True`), each with its leading `, `. */
  keywords: string;
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
    keywords: keepsBlasDispatch(site) ? ', optimize=True' : '',
  };
}

/**
 * numpy hands a step to BLAS only under optimize=; without it, one C loop. Which is faster
 * depends on the BLAS numpy links (`npm run bench:dispatch`), so the steps keep the call's own
 * choice: BLAS when it asked for a path, the plain loop when it did not. A BLAS-shaped step of
 * such a call is written as `np.tensordot`/`np.matmul` (blas-steps.ts); the other steps stay
 * einsum calls with `optimize=True`.
 */
function keepsBlasDispatch(site: ContractionSite): boolean {
  const value = site.options.optimize?.value;
  return site.library === 'numpy' && value !== undefined && value !== null && value !== false;
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
  return `${style.callee}(${all.join(', ')}${style.keywords})`;
}
