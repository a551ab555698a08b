/**
 * What tfjs's `tf.einsum` (tfjs-core 4.x) cannot run, each a runtime error it throws: more
 * than two operands, a label repeated within one operand, `...`, and an equation without
 * `->`. Reported as errors (EIN009) on the exact characters or arguments at fault.
 */
import { EquationError, parseEquation, type ParsedEquation } from '../../core/equation';
import { equationRangeToSource, type SiteDiagnostic, type SiteSyntax, type SourceRange } from '../model';

/** tfjs contracts at most this many operands in one `tf.einsum`. */
export const TFJS_MAX_OPERANDS = 2;

export function tfjsLimitDiagnostics(site: SiteSyntax): SiteDiagnostic[] {
  if (site.library !== 'tfjs' || site.kind !== 'einsum' || site.dynamic || site.equation.text === null) return [];
  let eq: ParsedEquation;
  try {
    eq = parseEquation(site.equation.text, { style: 'letters' });
  } catch (error) {
    // The shared evaluation reports invalid equations.
    if (error instanceof EquationError) return [];
    throw error;
  }
  const out: SiteDiagnostic[] = [];
  const error = (message: string, range: SourceRange) => out.push({ code: 'EIN009', severity: 'error', message, range });
  const inEquation = (range: { start: number; end: number }) => equationRangeToSource(site.equation, range);
  if (eq.inputs.length > TFJS_MAX_OPERANDS) {
    const extra = site.operands.slice(TFJS_MAX_OPERANDS);
    const range =
      extra.length > 0
        ? { start: extra[0].range.start, end: extra[extra.length - 1].range.end }
        : inEquation({ start: eq.inputs[TFJS_MAX_OPERANDS].range.start, end: eq.inputs[eq.inputs.length - 1].range.end });
    error(
      `tfjs's tf.einsum takes at most ${TFJS_MAX_OPERANDS} operands and this call has ${eq.inputs.length}: ` +
        `it throws 'Support for more than 2 input tensors is not implemented yet'`,
      range,
    );
  }
  eq.inputs.forEach((term, k) => {
    const seen = new Set<string>();
    const reported = new Set<string>();
    term.labels.forEach((label, i) => {
      // Each repeated label once: 'aaaa…' a million long is one mistake, not a million.
      if (seen.has(label) && !reported.has(label)) {
        reported.add(label);
        error(
          `tfjs's tf.einsum cannot repeat a label within one operand ('${label}' in operand ${k + 1}): it throws 'Found duplicate axes'`,
          inEquation(term.labelRanges[i]),
        );
      }
      seen.add(label);
    });
  });
  for (const term of [...eq.inputs, eq.output]) {
    if (term.ellipsisRange) {
      error(`tfjs's tf.einsum does not support '...': write the broadcast dimensions as labels`, inEquation(term.ellipsisRange));
    }
  }
  if (!eq.explicitOutput) {
    const output = `->${eq.output.labels.join('')}`;
    error(`tfjs's tf.einsum needs an explicit output: it throws 'Equations without an arrow are not supported' (add '${output}')`, site.equation.range ?? site.range);
  }
  return out;
}
