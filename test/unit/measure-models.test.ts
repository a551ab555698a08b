/**
 * The ONNX models einsight measure builds: valid protobuf that onnxruntime loads, and — run
 * in-process on tiny seeded inputs — equal to a plain JavaScript einsum, as written and optimized.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ort } from 'einsight-server/measure/onnxruntime';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import type { Contraction } from 'einsight-server/core/contraction';
import { toPathProblem } from 'einsight-server/core/cost';
import { optimizePath } from 'einsight-server/core/paths/index';
import { einsumEquation } from 'einsight-server/measure/emit-einsum';
import { ONNX_IR_VERSION, ONNX_OPSET, decodeModel } from 'einsight-server/measure/onnx-proto';
import { MeasureError, inputShapes, problemFromContraction, type MeasureProblem, type ScalarFactor } from 'einsight-server/measure/problem';
import { seededInput } from 'einsight-server/measure/random';
import { buildAsWritten, buildOptimized, type ModelVariant } from 'einsight-server/measure/variants';

function bind(equation: string, shapes: number[][]): Contraction {
  return bindShapes(parseEquation(equation), shapes);
}

/** The textbook definition: loop over every label assignment, multiply, accumulate. */
function referenceEinsum(c: Contraction, operands: Float32Array[]): Float64Array {
  const sizes = c.sizes.map((s) => s.value);
  const strides = (labels: number[]) => {
    const result = new Array<number>(labels.length);
    let stride = 1;
    for (let axis = labels.length - 1; axis >= 0; axis--) {
      result[axis] = stride;
      stride *= sizes[labels[axis]];
    }
    return result;
  };
  const inputStrides = c.inputs.map(strides);
  const outputStrides = strides(c.output);
  const output = new Float64Array(c.output.reduce((n, l) => n * sizes[l], 1));
  const index = new Array<number>(sizes.length).fill(0);
  const total = sizes.reduce((n, s) => n * s, 1);
  for (let step = 0; step < total; step++) {
    let product = 1;
    c.inputs.forEach((labels, k) => {
      let offset = 0;
      labels.forEach((l, axis) => (offset += index[l] * inputStrides[k][axis]));
      product *= operands[k][offset];
    });
    let at = 0;
    c.output.forEach((l, axis) => (at += index[l] * outputStrides[axis]));
    output[at] += product;
    for (let l = sizes.length - 1; l >= 0 && ++index[l] === sizes[l]; l--) index[l] = 0;
  }
  return output;
}

function inputsOf(problem: MeasureProblem, seed = 7): Float32Array[] {
  return inputShapes(problem).map((shape, i) => seededInput(seed, i, shape.reduce((n, d) => n * d, 1)));
}

async function runModel(variant: ModelVariant, problem: MeasureProblem, inputs: Float32Array[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(variant.model);
  const feeds = Object.fromEntries(inputShapes(problem).map((shape, i) => [`x${i}`, new ort.Tensor('float32', inputs[i], shape)]));
  const output = (await session.run(feeds))[session.outputNames[0]];
  await session.release();
  return { data: output.data as Float32Array, dims: output.dims };
}

function assertClose(actual: Float32Array, expected: Float64Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: output size`);
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-4 * scale, `${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

function allVariants(problem: MeasureProblem): ModelVariant[] {
  const { path } = optimizePath(toPathProblem(problem.fused), { optimizer: 'optimal' });
  return [buildAsWritten(problem), buildOptimized(problem, path, false), buildOptimized(problem, path, true)];
}

const CASES: [string, number[][]][] = [
  ['ij,jk->ik', [[3, 4], [4, 5]]],
  ['ij,jk,kl,l->i', [[4, 5], [5, 6], [6, 3], [3]]],
  ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]],
  ['ji,jk->ki', [[4, 3], [4, 5]]],
  ['abcd,dcbe->ae', [[2, 3, 4, 2], [2, 4, 3, 3]]],
  ['abc,cd,bde->ae', [[2, 3, 4], [4, 5], [3, 5, 2]]],
  ['ij,ij->', [[3, 4], [3, 4]]],
  ['i,j->ij', [[3], [4]]],
  ['ii,i->i', [[4, 4], [4]]],
  ['ij,jk->', [[3, 4], [4, 5]]],
  ['ab,bc,ca->', [[3, 4], [4, 5], [5, 3]]],
  ['ijk,jl,kl->il', [[2, 3, 4], [3, 5], [4, 5]]],
  ['...ij,...jk->...ik', [[2, 3, 4], [2, 4, 2]]],
  ['batch i j, batch j k -> batch k i', [[2, 3, 4], [2, 4, 5]]],
  ['ij->ji', [[3, 4]]],
];

describe('measure models: valid ONNX', () => {
  it('writes IR 8, opset 17 and the as-written equation in source order', () => {
    const problem = problemFromContraction(bind('ij,jk,kl,l->i', [[4, 4], [4, 4], [4, 4], [4]]));
    const model = decodeModel(buildAsWritten(problem).model);
    assert.equal(model.irVersion, ONNX_IR_VERSION);
    assert.deepEqual(model.opsetImport, [{ domain: '', version: ONNX_OPSET }]);
    assert.equal(model.graph.node.length, 1);
    const [node] = model.graph.node;
    assert.equal(node.opType, 'Einsum');
    assert.deepEqual(node.input, ['x0', 'x1', 'x2', 'x3']);
    assert.equal(new TextDecoder().decode(node.attribute?.[0].s), 'ab,bc,cd,d->a');
    assert.deepEqual(
      model.graph.input.map((v) => [v.name, v.type.tensorType.elemType, v.type.tensorType.shape.dim.map((d) => d.dimValue)]),
      [['x0', 1, [4, 4]], ['x1', 1, [4, 4]], ['x2', 1, [4, 4]], ['x3', 1, [4]]],
    );
  });

  it('runs the optimized path as one node per step: Einsum, or MatMul for GEMM-like steps', () => {
    const problem = problemFromContraction(bind('ij,jk,kl,l->i', [[4, 4], [4, 4], [4, 4], [4]]));
    const [, einsum, matmul] = allVariants(problem);
    assert.deepEqual(einsum.nodes, ['Einsum', 'Einsum', 'Einsum']);
    const equations = decodeModel(einsum.model).graph.node.map((n) => new TextDecoder().decode(n.attribute?.[0].s));
    // Operands in opt_einsum's pop order (highest position first): `l,kl->k`, `k,jk->j`, `j,ij->i`.
    assert.deepEqual(equations, ['a,ba->b', 'a,ba->b', 'a,ba->b']);
    assert.equal(matmul.loweredSteps, 3);
    assert.equal(matmul.nodes.filter((n) => n === 'MatMul').length, 3);
    assert.ok(!matmul.nodes.includes('Einsum') && !matmul.nodes.includes('Transpose'), matmul.nodes.join(' '));
    assert.equal(einsum.flops, 3n * 2n * 16n);
    assert.equal(buildAsWritten(problem).flops, 2n * 64n + 2n * 64n + 2n * 16n);
  });

  it('keeps a step with a diagonal as Einsum in the MatMul lowering', () => {
    const problem = problemFromContraction(bind('ii,i->i', [[4, 4], [4]]));
    const matmul = buildOptimized(problem, [[0, 1]], true);
    assert.equal(matmul.loweredSteps, 0);
    assert.deepEqual(matmul.nodes, ['Einsum']);
  });

  it('refuses an einsum node with more labels than onnxruntime has letters', () => {
    const labels = Array.from({ length: 53 }, (_, i) => i);
    assert.throws(() => einsumEquation([labels], labels), (e: unknown) => e instanceof MeasureError && /52 distinct labels/.test(e.message));
  });

  for (const [equation, shapes] of CASES) {
    it(`loads in onnxruntime and equals the reference: ${equation}`, async () => {
      const problem = problemFromContraction(bind(equation, shapes));
      const inputs = inputsOf(problem);
      const expected = referenceEinsum(problem.fused, inputs);
      const outputShape = problem.fused.output.map((l) => problem.fused.sizes[l].value);
      for (const variant of allVariants(problem)) {
        const { data, dims } = await runModel(variant, problem, inputs);
        assert.deepEqual([...dims], outputShape, `${variant.kind}: output shape`);
        assertClose(data, expected, `${equation} ${variant.kind}`);
      }
    });
  }
});

describe('measure models: scalars and chains', () => {
  it('applies scalars where written, and folded once onto the smallest tensor', async () => {
    const c = bind('ij,jk,k->i', [[5, 6], [6, 7], [7]]);
    const scalars: ScalarFactor[] = [
      { value: 0.5, operation: 'multiply', on: { kind: 'input', index: 0 } },
      { value: 4, operation: 'divide', on: { kind: 'call', index: 0 } },
    ];
    const problem = problemFromContraction(c, scalars);
    const inputs = inputsOf(problem);
    const expected = referenceEinsum(c, inputs).map((x) => x * 0.5 / 4);
    const [asWritten, einsum, matmul] = allVariants(problem);
    assert.deepEqual(asWritten.nodes, ['Mul', 'Einsum', 'Div']);
    assert.equal(asWritten.scalarMultiplies, 30n + 5n);
    // The smallest tensor on the optimized path: the 5-element output (the input vector has 7).
    assert.deepEqual(einsum.nodes, ['Einsum', 'Einsum', 'Mul']);
    assert.equal(einsum.scalarMultiplies, 5n);
    assert.match(einsum.description, /scalar 0\.125 applied once to the result of step 2/);
    for (const variant of [asWritten, einsum, matmul]) assertClose((await runModel(variant, problem, inputs)).data, expected, variant.kind);
  });

  it('runs a chain call by call as written and fused when optimized', async () => {
    // t = einsum('ij,jk->ik', a, b); y = einsum('ik,kl->il', t, c) * 2
    const first = bind('ij,jk->ik', [[3, 4], [4, 5]]);
    const second = bind('ik,kl->il', [[3, 5], [5, 2]]);
    const fused = bind('ij,jk,kl->il', [[3, 4], [4, 5], [5, 2]]);
    const problem: MeasureProblem = {
      title: 'chain',
      fused,
      calls: [
        { contraction: first, operands: [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }] },
        { contraction: second, operands: [{ kind: 'call', index: 0 }, { kind: 'input', index: 2 }] },
      ],
      scalars: [{ value: 2, operation: 'multiply', on: { kind: 'call', index: 1 } }],
    };
    const inputs = inputsOf(problem);
    const expected = referenceEinsum(fused, inputs).map((x) => x * 2);
    const [asWritten, ...optimized] = allVariants(problem);
    assert.deepEqual(asWritten.nodes, ['Einsum', 'Einsum', 'Mul']);
    assert.equal(asWritten.flops, 2n * 60n + 2n * 30n);
    for (const variant of [asWritten, ...optimized]) assertClose((await runModel(variant, problem, inputs)).data, expected, variant.kind);
  });

  it('runs a matmul chain in its written order as MatMul nodes', async () => {
    // a @ (b @ v): the written path contracts operands 1 and 2 first.
    const c = bind('ab,bc,c->a', [[4, 5], [5, 6], [6]]);
    const problem: MeasureProblem = { ...problemFromContraction(c), writtenPath: [[1, 2], [0, 1]] };
    const asWritten = buildAsWritten(problem);
    assert.equal(asWritten.kind, 'as-written');
    assert.equal(asWritten.nodes.filter((n) => n === 'MatMul').length, 2);
    assert.equal(asWritten.flops, 2n * 30n + 2n * 20n);
    const inputs = inputsOf(problem);
    assertClose((await runModel(asWritten, problem, inputs)).data, referenceEinsum(c, inputs), 'matmul chain');
  });
});
