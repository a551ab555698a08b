/**
 * Why a fix cannot be offered. Builders throw it deep inside emission; the fix list catches it
 * and offers nothing for that fix (an unsafe rewrite is never better than none). A refusal is
 * `shown` when the user should learn why a fix they might expect is withheld (an effect, a
 * dtype, an `out=` argument); a fix that simply does not apply (two operands leave no order to
 * choose, the order is already the best) is refused silently.
 */
import type { SourceRange } from '../analysis/model';

export class RewriteRefusal extends Error {
  constructor(
    message: string,
    readonly shown = true,
    /** The code the reason points at (`sgd_step(...)`), shown as "on line N" by the editor. */
    readonly at: SourceRange | null = null,
  ) {
    super(message);
    this.name = 'RewriteRefusal';
  }
}

/** A refusal the user is not told about: the fix does not apply here at all. */
export function notApplicable(message: string): RewriteRefusal {
  return new RewriteRefusal(message, false);
}
