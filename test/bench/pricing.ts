/**
 * `npm run bench:pricing`: a generated numpy module of about 1.3 MB with about 1,000 einsum
 * sites, analysed in full as a new `PythonDocument` analyses it (parse, read the sites and
 * shapes, price every site, derive the findings), phase by phase, at four sizes up to the
 * target's. Deterministic: the
 * module comes from a seeded generator, so every run analyses the same text.
 */
import { seededRandom } from 'einsight-server/core/random';
import { CostCache, evaluate } from 'einsight-server/analysis/evaluate';
import { UnitCache, readPython } from 'einsight-server/analysis/python/front-end';
import { PythonParser } from 'einsight-server/analysis/python/parser';
import { ANALYSIS_THREAD_HEAP } from 'einsight-server/service/analysis-thread';
import { Worker, isMainThread, resourceLimits, workerData } from 'node:worker_threads';

const TARGET_MS = 300;
const TARGET_BYTES = 1.3e6;
const RUNS = 9;
const WARM_UP_RUNS = 3;

/** Equations real numpy code writes, 2 to 6 operands; each label's size is drawn per site. */
const EQUATIONS = [
  'ij,jk->ik',
  'bij,bjk->bik',
  'ij,jk,kl->il',
  'i,ij,j->',
  'bxi,oij,byj->boxy',
  'pi,qj,ijkl,rk,sl->pqrs',
  'ijk,jl,kl->i',
  'abc,cd,de,ea->b',
  'ia,ajb,bk,ic,cjd,dk->',
  'zij,zjk,zk->zi',
  'ab,bc,cd,de,ef->af',
  'ijab,abcd,cdkl->ijkl',
];

/** How generated code allocates its operands, with literal shapes. */
const ALLOCATORS = [
  (dims: string) => `np.random.rand(${dims})`,
  (dims: string) => `np.zeros((${dims}))`,
  (dims: string) => `np.ones((${dims}), dtype=np.float64)`,
  (dims: string) => `np.full((${dims}), 0.5)`,
];

const OPTIMIZE = ['', ', optimize=True', ", optimize='greedy'", ", optimize='optimal'"];

/**
 * One generated kernel of about 1.3 kB around one contraction, as code generators write them:
 * a docstring stating what it computes, operands with literal shapes, the contraction, and
 * a little post-processing.
 */
function block(i: number, random: () => number): string {
  const eq = EQUATIONS[i % EQUATIONS.length];
  const [inputs, output] = eq.split('->');
  const sizes = new Map<string, number>();
  for (const label of inputs.replaceAll(',', '')) if (!sizes.has(label)) sizes.set(label, 4 + Math.floor(random() * 60));
  const terms = inputs.split(',');
  const names = terms.map((_, k) => `t${k}`);
  const shapeOf = (term: string) => [...term].map((label) => sizes.get(label)).join(', ');
  const lines = [
    `def kernel_${i}(scale=${(1 + random()).toFixed(3)}):`,
    `    """Generated kernel ${i}: ${eq}.`,
    '',
    `    Contracts ${terms.length} operands into a tensor with indices '${output}'. The operands are`,
    '    allocated with the shapes below, so that a run is reproducible; the result is',
    '    normalised, then clipped a few times, and returned with a summary of the steps.',
    '',
    '    Operands:',
    ...terms.map((term, k) => `        ${names[k]}: indices '${term}', shape (${shapeOf(term)})`),
    '    """',
    ...terms.map((term, k) => `    ${names[k]} = ${ALLOCATORS[(i + k) % ALLOCATORS.length](shapeOf(term))}`),
    `    result = np.einsum("${eq}", ${names.join(', ')}${OPTIMIZE[i % OPTIMIZE.length]})`,
    '    norm = np.linalg.norm(result)',
    '    if norm > 0:',
    '        result = result / norm',
    '    history = []',
    `    for step in range(${2 + (i % 5)}):`,
    '        # Clip to the unit interval after each scaling, as the reference implementation does.',
    '        result = np.clip(result * scale, -1.0, 1.0)',
    '        history.append(float(np.abs(result).mean()))',
    `    return result, {"name": "kernel_${i}", "steps": len(history), "mean": float(np.mean(history))}`,
    '',
    '',
  ];
  return lines.join('\n');
}

export function generatedModule(bytes: number): { text: string; blocks: number } {
  const random = seededRandom(2024);
  const parts = ['"""Generated numpy module for the pricing benchmark."""', 'import numpy as np', '', ''];
  let length = parts.join('\n').length;
  let blocks = 0;
  while (length < bytes) {
    const text = block(blocks++, random);
    parts.push(text);
    length += text.length + 1;
  }
  return { text: parts.join('\n'), blocks };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

interface Run {
  /** CPU ms of each phase (this process: load from other processes inflates it less than wall time). */
  parse: number;
  read: number;
  evaluate: number;
  /** CPU and wall-clock ms of the whole analysis. */
  cpu: number;
  wall: number;
  sites: number;
  priced: number;
  findings: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** What `PythonDocument.analyze` does for a new document, phase by phase: parse, read, price and find. */
async function analyseCold(text: string): Promise<Run> {
  const parser = await PythonParser.create();
  try {
    const started = performance.now();
    const c0 = cpuMs();
    const parsed = parser.parse(text);
    const c1 = cpuMs();
    const read = readPython(parsed, {}, new UnitCache(), null);
    const c2 = cpuMs();
    const analysis = evaluate(read, {}, new CostCache());
    const c3 = cpuMs();
    const wall = performance.now() - started;
    const priced = analysis.sites.filter((s) => s.best !== null).length;
    return {
      parse: c1 - c0,
      read: c2 - c1,
      evaluate: c3 - c2,
      cpu: c3 - c0,
      wall,
      sites: analysis.sites.length,
      priced,
      findings: analysis.findings.length,
    };
  } finally {
    parser.dispose();
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

async function run(): Promise<void> {
  console.log(`einsight bench:pricing — node ${process.version}; a new document each run (no parse tree, no cost cache), ${RUNS} runs, medians`);
  // The JIT is warm in a running server: warm it first.
  for (let i = 0; i < WARM_UP_RUNS; i++) await analyseCold(generatedModule(TARGET_BYTES / 8).text);
  console.log('| module | lines | sites | priced | findings | parse, CPU | read sites and shapes, CPU | price and find, CPU | full analysis, CPU | full analysis, wall | CPU per site |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  let atTarget = { wall: 0, cpu: 0 };
  for (const fraction of [0.125, 0.25, 0.5, 1]) {
    const { text } = generatedModule(TARGET_BYTES * fraction);
    const runs: Run[] = [];
    for (let r = 0; r < RUNS; r++) runs.push(await analyseCold(text));
    const m = (key: keyof Run) => median(runs.map((r) => r[key]));
    const last = runs[runs.length - 1];
    if (fraction === 1) atTarget = { wall: m('wall'), cpu: m('cpu') };
    const lines = text.split('\n').length.toLocaleString('en-US');
    console.log(
      `| ${(text.length / 1e6).toFixed(2)} MB | ${lines} | ${last.sites} | ${last.priced} | ${last.findings} | ${ms(m('parse'))} | ${ms(m('read'))} | ${ms(m('evaluate'))} | ${ms(m('cpu'))} | ${ms(m('wall'))} | ${((m('cpu') / last.sites) * 1000).toFixed(0)} µs |`,
    );
  }
  const verdict = atTarget.wall <= TARGET_MS ? 'within' : 'OVER';
  console.log(
    `1.3 MB module: full analysis median ${ms(atTarget.wall)} wall, ${ms(atTarget.cpu)} CPU; target ≤ ${TARGET_MS} ms: ${(atTarget.wall / TARGET_MS).toFixed(2)}× (${verdict})`,
  );
}

/**
 * Runs in a worker thread with the analysis thread's heap limits, as the language server's
 * analysis runs: the young generation's size moves a 1.3 MB module's collection time by a third.
 */
if (require.main === module && isMainThread) {
  const worker = new Worker(__filename, { workerData: { pricingBench: true }, resourceLimits: ANALYSIS_THREAD_HEAP });
  worker.on('error', (error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else if (workerData?.pricingBench) {
  console.log(`in a worker thread with the analysis thread's heap limits: young generation ${resourceLimits.maxYoungGenerationSizeMb} MB`);
  run().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
