import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runBin, runCli } from '../support/cli';
import { loadOracle } from '../support/oracle';

describe('einsight path (report)', () => {
  it('prints a PathInfo-like report with every figure', async () => {
    const r = await runCli(['path', 'zij,zjk,zk->zi', '--shapes', '1000x4x5,1000x5x8,1000x8', '--optimize', 'optimal']);
    assert.equal(r.code, 0);
    for (const line of [
      '  Complete contraction:  zij,zjk,zk->zi',
      '             Optimizer:  optimal',
      '         Naive scaling:  4',
      '     Optimized scaling:  3',
      '      Naive FLOP count:  4.800e+05',
      '   Left-to-right FLOPs:  3.840e+05',
      '  Optimized FLOP count:  1.200e+05',
      '   Theoretical speedup:  4.000e+00',
      '  Largest intermediate:  5.000e+03 elements',
    ]) {
      assert.ok(r.stdout.includes(`${line}\n`), `missing: ${line}\n${r.stdout}`);
    }
    assert.match(r.stdout, /\n +3 +EINSUM +zk,zjk->zj +zij,zj->zi\n/);
    assert.match(r.stdout, /\n +3 +EINSUM +zj,zij->zi +zi->zi$/m);
  });

  it('reports symbolic sizes as scalings', async () => {
    const r = await runCli(['path', 'ij,jk,kl,l->i', '--shapes', 'NxN,NxN,NxN,N']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Naive cost: +O\(N\^4\) += 4·N\^4/);
    assert.match(r.stdout, /Optimized cost: +O\(N\^2\) += 6·N\^2/);
    const bound = await runCli(['path', 'ij,jk,kl,l->i', '--shapes', 'NxN,NxN,NxN,N', '--dims', 'N=512', '--json']);
    assert.equal(JSON.parse(bound.stdout).optimized.flops, 1572864);
  });

  it('prints one JSON object with the same content', async () => {
    const r = await runCli(['path', 'ij,jk,kl,l->i', '--shapes', '512x512,512x512,512x512,512', '--json']);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(json.path, [[2, 3], [1, 2], [0, 1]]);
    assert.equal(json.optimizer, 'optimal');
    assert.deepEqual(json.naive, { flops: 274877906944, scaling: 4 });
    assert.deepEqual(json.optimized, { flops: 1572864, scaling: 2, largest: 512 });
    assert.equal(json.leftToRight.flops, 537395200);
    assert.deepEqual(json.steps[0], { positions: [2, 3], equation: 'l,kl->k', removed: ['l'], resultShape: [512], flops: 524288, scaling: 2, blas: 'GEMM' });
    assert.equal(json.symbolic, null);
  });

  it('writes counts beyond 2^53 as exact integers in JSON', async () => {
    const r = await runCli(['path', 'ab,bc,cd->ad', '--shapes', '100000x100000,100000x100000,100000x100000', '--json']);
    assert.match(r.stdout, /"naive": \{\n\s+"flops": 300000000000000000000,/);
  });

  it('honours --memory-limit, --objective and --optimize', async () => {
    const r = await runCli(['path', 'ij,jk,kl,l->i', '--shapes', '512x512,512x512,512x512,512', '--optimize', 'greedy', '--memory-limit', 'max_input', '--json']);
    const json = JSON.parse(r.stdout);
    assert.equal(json.optimizer, 'branch-1');
    assert.ok(json.optimized.largest <= 512 * 512);
  });
});

describe('einsight path (errors)', () => {
  it('points at the offending part of a bad equation and exits 2', async () => {
    const r = await runCli(['path', 'ij,jk->ix', '--shapes', '2x3,3x4']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "einsight path: output label 'x' does not appear in any input\n  ij,jk->ix\n          ^\n");
  });

  it('reports shape conflicts located in the equation', async () => {
    const r = await runCli(['path', 'ij,jk->ik', '--shapes', '2x3,4x5']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /size/);
    assert.match(r.stderr, /\n  ij,jk->ik\n     \^\n$/);
  });

  it('rejects bad arguments with usage and exit 2', async () => {
    for (const argv of [
      ['path'],
      ['path', 'ij->i', '--optimize', 'fastest'],
      ['path', 'ij->i', '--shapes', '2x-3'],
      ['path', 'ij->i', '--memory-limit', 'lots'],
      ['path', 'ij->i', '--bogus'],
      ['path', 'ij->i', '--shapes'],
      ['path', '--batch', '/nonexistent/file.jsonl'],
      ['nonsense'],
    ]) {
      const r = await runCli(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.ok(r.stderr.length > 0 || r.stdout.includes('usage'), argv.join(' '));
    }
  });
});

describe('einsight path --batch', () => {
  it('answers every JSON line in order, with errors in place', async () => {
    const input = [
      '{"eq": "ij,jk,kl,l->i", "shapes": [[512,512],[512,512],[512,512],[512]]}',
      '{"eq": "ij,jk->ix", "shapes": [[2,3],[3,4]]}',
      'not json',
      '{"eq": "ab,bc,cd->ad", "shapes": [[10,1000],[1000,20],[20,500]], "optimize": "greedy", "memory_limit": 100000}',
    ].join('\n');
    const r = await runCli(['path', '--batch', '-'], input);
    assert.equal(r.code, 0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    assert.deepEqual(lines[0].path, [[2, 3], [1, 2], [0, 1]]);
    assert.equal(lines[0].flops, 1572864);
    assert.equal(lines[0].largest, 512);
    assert.equal(lines[0].naive_flops, 274877906944);
    assert.equal(typeof lines[0].ms, 'number');
    assert.match(lines[1].error, /^line 2: output label 'x' does not appear in any input/);
    assert.match(lines[2].error, /^line 3: not valid JSON/);
    assert.ok(lines[3].path.length === 2);
  });

  it('matches opt_einsum optimal on the oracle through the installed bin', () => {
    const cases = loadOracle('paths.jsonl').filter((c) => c.exact_min_flops !== undefined).slice(0, 40);
    const input = cases.map((c) => JSON.stringify({ eq: c.eq, shapes: c.shapes, optimize: 'optimal' })).join('\n');
    const r = runBin(['path', '--batch', '-'], { input });
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    out.forEach((o, i) => assert.equal(String(o.flops), String(cases[i].exact_min_flops), cases[i].id));
  });
});
