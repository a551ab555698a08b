/**
 * The text and JSON forms of `einsight path`, modelled on opt_einsum's PathInfo printout: its numbers
 * are written as opt_einsum writes them (`4.800e+05`, via scientific), not in the formatCount style
 * used everywhere else, so that the report compares line by line with opt_einsum's.
 */
import type { ContractionAnalysis } from '../core/analyze';
import { formatEquation, formatTerm } from '../core/equation';
import { flopRatio, scientific } from '../core/counts';

export function pathReportText(a: ContractionAnalysis): string {
  const c = a.contraction;
  const { naive, best, leftToRight } = a;
  const sizes = c.labels.map((name, id) => `${name}=${c.sizes[id].symbol ?? c.sizes[id].value}`).join(' ');
  const lines = [
    `  Complete contraction:  ${formatEquation(c)}`,
    `                 Sizes:  ${sizes}`,
    `             Optimizer:  ${best.optimizer}`,
    `         Naive scaling:  ${naive.scaling}`,
    `     Optimized scaling:  ${best.scaling}`,
    `      Naive FLOP count:  ${scientific(naive.flops)}`,
    `   Left-to-right FLOPs:  ${scientific(leftToRight.flops)}`,
    `  Optimized FLOP count:  ${scientific(best.flops)}`,
    `   Theoretical speedup:  ${pythonExponent(flopRatio(naive.flops, best.flops))}`,
    `  Largest intermediate:  ${scientific(best.largest)} elements`,
  ];
  if (a.symbolic) {
    const symbols = c.sizes.filter((s) => s.symbol !== null).map((s) => `${s.symbol}=${s.value}`);
    lines.push(
      `       Symbolic sizes:  ${[...new Set(symbols)].join(' ')} (counts above use these stand-ins)`,
      `        Naive cost:     ${naive.flopsPolynomial.scalingString()}  = ${naive.flopsPolynomial}`,
      `    Optimized cost:     ${best.flopsPolynomial.scalingString()}  = ${best.flopsPolynomial}`,
    );
  }
  const rule = '-'.repeat(80);
  lines.push(rule, `${'scaling'.padStart(7)} ${'BLAS'.padStart(14)} ${'current'.padStart(22)}    ${'remaining'}`, rule);
  const remaining = c.inputs.map((t) => formatTerm(c, t));
  for (const step of best.steps) {
    for (const p of [...step.positions].sort((x, y) => y - x)) remaining.splice(p, 1);
    remaining.push(formatTerm(c, step.result));
    const rest = `${remaining.join(',')}->${formatTerm(c, c.output)}`;
    lines.push(`${String(step.scaling).padStart(7)} ${step.blas.padStart(14)} ${step.equation.padStart(22)}    ${rest}`);
  }
  return lines.join('\n');
}

export function pathReportJson(a: ContractionAnalysis): Record<string, unknown> {
  const c = a.contraction;
  const { naive, best, leftToRight } = a;
  const shapeOf = (labels: number[]) => labels.map((l) => c.sizes[l].symbol ?? c.sizes[l].value);
  return {
    equation: formatEquation(c),
    sizes: Object.fromEntries(c.labels.map((name, id) => [name, c.sizes[id].symbol ?? c.sizes[id].value])),
    optimizer: best.optimizer,
    path: best.path,
    naive: { flops: naive.flops, scaling: naive.scaling },
    leftToRight: { flops: leftToRight.flops, largest: leftToRight.largest, path: leftToRight.path },
    optimized: { flops: best.flops, scaling: best.scaling, largest: best.largest },
    speedup: flopRatio(naive.flops, best.flops),
    speedupOverLeftToRight: flopRatio(leftToRight.flops, best.flops),
    steps: best.steps.map((s) => ({
      positions: s.positions,
      equation: s.equation,
      removed: s.removed.map((l) => c.labels[l]),
      resultShape: shapeOf(s.result),
      flops: s.flops,
      scaling: s.scaling,
      blas: s.blas,
    })),
    symbolic: a.symbolic
      ? {
          naive: naive.flopsPolynomial.toString(),
          optimized: best.flopsPolynomial.toString(),
          leftToRight: leftToRight.flopsPolynomial.toString(),
          naiveScaling: naive.flopsPolynomial.scalingString(),
          optimizedScaling: best.flopsPolynomial.scalingString(),
        }
      : null,
  };
}

/** `{:.3e}` of a double, with Python's two-digit exponent. */
function pythonExponent(x: number): string {
  return x.toExponential(3).replace(/e([+-])(\d)$/, 'e$10$2');
}
