/**
 * The hover's "Recorded" section: what `einsight record` saw at the site — how often it ran and
 * its share of einsum time, each recorded shape with its calls and its cost, and where the
 * recording disagrees with the code.
 */
import { formatCount, formatSpeedup } from '../core/counts';
import type { ContractionSite, ObservedVariant } from '../analysis/model';
import { shapeText as dimsText } from '../analysis/observed/variants';
import { durationText, observedWeightText } from '../analysis/observed/wording';
import { inlineCode, markdownCell } from './format';

/** Shapes listed in the hover; a site recorded at more lists the most called. */
const SHOWN_SHAPES = 8;

export function observedMarkdown(site: ContractionSite): string | null {
  const observed = site.observed;
  if (!observed) return null;
  const parts = [`**Recorded**: ${observedWeightText(observed)}.`];
  if (observed.variants.length > 0) {
    const rows = ['| shapes | calls | time | FLOPs as written | best order |', '| --- | --- | --- | --- | --- |'];
    // The equation is the code's, unless the code computes it: then each shape says which it was called with.
    for (const variant of observed.variants.slice(0, SHOWN_SHAPES)) rows.push(variantRow(variant, site.equation.text === null));
    parts.push(rows.join('\n'));
    const more = observed.variants.length - SHOWN_SHAPES;
    if (more > 0) parts.push(`…and ${more} more shape${more === 1 ? '' : 's'}.`);
  }
  if (observed.otherCalls > 0) parts.push(`${formatCount(BigInt(observed.otherCalls))} more calls at shapes past the recorder's limit per site.`);
  if (observed.variants.length > 1 && observed.used) parts.push('Sizes that varied stay symbolic above; a finding here holds at every recorded shape.');
  else if (observed.variants.length > 0 && !observed.used) parts.push('The code fixes every size here; the recording only adds how often the call ran.');
  for (const conflict of observed.conflicts) parts.push(`⚠ ${conflict}.`);
  return parts.join('\n\n');
}

function variantRow(variant: ObservedVariant, withEquation: boolean): string {
  const shapes = variant.shapes.map((dims) => (dims ? dimsText(dims) : '?')).join(' · ');
  const equation = withEquation && variant.equation !== null ? `${inlineCode(variant.equation)} ` : '';
  const best = variant.bestFlops === null ? '—' : formatCount(variant.bestFlops);
  const speedup = variant.speedup !== null && variant.speedup > 1 ? ` (${formatSpeedup(variant.speedup)} fewer)` : '';
  const cells = [
    `${equation}${inlineCode(shapes)}`,
    formatCount(BigInt(variant.calls)),
    durationText(variant.timeNs),
    variant.baselineFlops === null ? '—' : formatCount(variant.baselineFlops),
    `${best}${speedup}`,
  ];
  return `| ${cells.map(markdownCell).join(' | ')} |`;
}
