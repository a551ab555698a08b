/** The reason a fix is withheld, as the editor shows it: the code it points at located by line. */
import type { WithheldFix } from '../rewrite/index';
import type { UnitSnapshot } from '../workspace/snapshot';

/** `` `A` may be modified by `sgd_step(...)` on line 12 ``; the line is the document's (or a cell's). */
export function withheldReason(fix: WithheldFix, snapshot: UnitSnapshot, uri: string): string {
  const location = fix.at ? snapshot.locate(fix.at) : null;
  if (!location) return fix.reason;
  const line = location.range.start.line + 1;
  return `${fix.reason} on line ${line}${location.uri === uri ? '' : ' of another cell'}`;
}
