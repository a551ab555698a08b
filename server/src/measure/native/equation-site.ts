/**
 * `einsight measure --equation … --library numpy`: an equation alone names no code to run, so
 * the call is written out as a small Python function in that library (shapes as a hint, scalar
 * factors where --scalars puts them) and analysed like any file. Its as-written form and its
 * quick fix are then those of a real call.
 */
import type { ContractionSite, FileAnalysis } from '../../analysis/model';
import { analyzePython } from '../../analysis/python/analyze';
import type { Contraction } from '../../core/contraction';
import { formatEquation } from '../../core/equation';
import type { ScalarFactor } from '../problem';
import { pythonFloat, type ArrayLibrary } from './python-program';

const SPELLING: Record<ArrayLibrary, { imports: string; einsum: string; dtype: string }> = {
  numpy: { imports: 'import numpy as np', einsum: 'np.einsum', dtype: 'float64' },
  torch: { imports: 'import torch', einsum: 'torch.einsum', dtype: 'float32' },
  jax: { imports: 'import jax.numpy as jnp', einsum: 'jnp.einsum', dtype: 'float32' },
  tensorflow: { imports: 'import tensorflow as tf', einsum: 'tf.einsum', dtype: 'float32' },
};

export const EQUATION_LIBRARIES = Object.keys(SPELLING) as ArrayLibrary[];

/** The call as a function; the hint gives each operand its shape and the dtype it is measured in (rewrites depend on it). */
export function equationSource(c: Contraction, scalars: readonly ScalarFactor[], library: ArrayLibrary, dtype: string | null = null): string {
  const names = c.inputs.map((_, k) => `x${k}`);
  const shape = (term: number[]) => term.map((label) => c.sizes[label].value).join(', ');
  const operand = (k: number) =>
    scalars
      .filter((s) => s.on.kind === 'input' && s.on.index === k)
      .reduce((text, s) => `${text} ${s.operation === 'divide' ? '/' : '*'} ${pythonFloat(s.value)}`, names[k]);
  const call = `${SPELLING[library].einsum}('${formatEquation(c)}', ${c.inputs.map((_, k) => operand(k)).join(', ')})`;
  const result = scalars
    .filter((s) => s.on.kind === 'call')
    .reduce((text, s) => `${text} ${s.operation === 'divide' ? '/' : '*'} ${pythonFloat(s.value)}`, call);
  return [
    SPELLING[library].imports,
    '',
    '',
    `def measured(${names.join(', ')}):`,
    `    # einsight: ${c.inputs.map((term, k) => `${names[k]}[${shape(term)}] ${dtype ?? SPELLING[library].dtype}`).join(' ')}`,
    `    return ${result}`,
    '',
  ].join('\n');
}

export async function equationSite(
  c: Contraction,
  scalars: readonly ScalarFactor[],
  library: ArrayLibrary,
  dtype: string | null = null,
): Promise<{ file: null; analysis: FileAnalysis; text: string; site: ContractionSite }> {
  const text = equationSource(c, scalars, library, dtype);
  const analysis = await analyzePython(text, {});
  return { file: null, analysis, text, site: analysis.sites[0] };
}
