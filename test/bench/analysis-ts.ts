/**
 * `npm run bench:analysis-ts`: the TypeScript front end on a generated 5,000-line file with
 * 500 contraction sites (tf.einsum with two and more operands, matMul chains, chains across
 * statements, scalar factors, hint comments). Prints the median and p90 time of a full analysis
 * (parse from scratch, fresh cost cache) and of a re-analysis after a one-character edit
 * (incremental parse, warm caches) inside a function and at module level, against the
 * targets: 100 ms and 20 ms.
 */
import { CostCache } from 'einsight-server/analysis/evaluate';
import { analyzeParsed, TypeScriptDocument } from 'einsight-server/analysis/typescript/analyze';
import { TypeScriptParser } from 'einsight-server/analysis/typescript/parser';

const FUNCTIONS = 100;
const LINES_PER_FUNCTION = 50;
const FULL_TARGET_MS = 100;
const EDIT_TARGET_MS = 20;
const RUNS = 40;
/** Runs before the measured ones, so the numbers are those of an editor that has been typing a while. */
const WARM_UP = 10;

/** One function of 50 lines holding 5 sites. */
function block(k: number): string[] {
  const n = 16 + (k % 7) * 8;
  const lines = [
    `export function layer${k}(x: tf.Tensor, w: tf.Tensor): tf.Tensor {`,
    `  // einsight: x[batch, ${n}] w[${n}, 256]`,
    `  const a${k} = tf.randomNormal([${n}, 64]);`,
    `  const b${k} = tf.randomNormal([64, 512]);`,
    `  const c${k} = tf.ones([512, 8]);`,
    `  const d${k} = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12], [13, 14], [15, 16]]);`,
    `  const e${k} = d${k}.reshape([2, 8]).transpose();`,
    `  const p${k} = tf.einsum('ij,jk,kl->il', a${k}, b${k}, c${k});`,
    `  const t${k} = tf.einsum('ij,jk->ik', a${k}, b${k});`,
    `  const u${k} = tf.einsum('ik,kl->il', t${k}, c${k});`,
    `  const m${k} = a${k}.matMul(b${k}).matMul(c${k});`,
    `  const s${k} = tf.einsum('bi,ij->bj', x.mul(2), w).div(${k + 2});`,
  ];
  while (lines.length < LINES_PER_FUNCTION - 2) {
    const i = lines.length;
    lines.push(i % 3 === 0 ? `  // step ${i}: bookkeeping that holds no contraction` : `  const v${k}_${i} = ${i} * ${n} + ${k};`);
  }
  lines.push(`  return tf.add(p${k}, u${k}).add(m${k}).sum().add(s${k}.sum()).add(e${k}.sum());`, '}');
  return lines;
}

export function generate(): string {
  const lines = [`import * as tf from '@tensorflow/tfjs';`, '', '// einsight: batch=64', 'const WIDTH = 64;', ''];
  for (let k = 0; k < FUNCTIONS; k++) lines.push(...block(k));
  return lines.join('\n') + '\n';
}

/** Median and 90th percentile. */
function summary(times: number[]): { median: number; p90: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.floor(sorted.length * 0.9)] };
}

/**
 * Re-analysis times after one-character edits, as typing makes them: a digit typed after the
 * `64` that `at(text, run)` finds, then deleted again, so every later site moves each time.
 */
function editTimes(text: string, at: (text: string, run: number) => number): number[] {
  const document = new TypeScriptDocument('ts');
  document.analyze(text, null, {});
  let current = text;
  const times: number[] = [];
  for (let run = 0; run < WARM_UP + RUNS; run++) {
    const offset = at(current, Math.floor(run / 2));
    const change = run % 2 === 0 ? { start: offset, end: offset, text: '0' } : { start: offset, end: offset + 1, text: '' };
    const next = current.slice(0, change.start) + change.text + current.slice(change.end);
    const started = performance.now();
    document.analyze(next, [change], {});
    if (run >= WARM_UP) times.push(performance.now() - started);
    current = next;
  }
  return times;
}

function line(label: string, times: number[], target: number): string {
  const { median, p90 } = summary(times);
  return `${label.padEnd(44)} median ${median.toFixed(1).padStart(6)} ms  p90 ${p90.toFixed(1).padStart(6)} ms  target ≤ ${target} ms  median/target ${(median / target).toFixed(2)}`;
}

function main(): void {
  const text = generate();
  const lineCount = text.split('\n').length - 1;
  const check = new TypeScriptDocument('ts').analyze(text, null, {});
  const full: number[] = [];
  for (let run = 0; run < WARM_UP + RUNS; run++) {
    const started = performance.now();
    analyzeParsed(new TypeScriptParser('ts').parse(text), {}, new CostCache());
    if (run >= WARM_UP) full.push(performance.now() - started);
  }
  // In a function: the other 99 functions keep their sites. At module level: every function is read again.
  const inFunction = editTimes(text, (current, i) => current.indexOf('64', current.indexOf(`const a${(i * 37) % FUNCTIONS} = tf.randomNormal([`)) + 2);
  const atModuleLevel = editTimes(text, (current) => current.indexOf('WIDTH = 64') + 'WIDTH = 64'.length);
  console.log(`TypeScript front end: ${lineCount} lines, ${check.sites.length} sites, ${check.findings.length} findings; ${RUNS} runs after ${WARM_UP} warm-up runs`);
  console.log(line('full analysis (parse, fresh cost cache)', full, FULL_TARGET_MS));
  console.log(line('after a 1-character edit in a function', inFunction, EDIT_TARGET_MS));
  console.log(line('after a 1-character edit at module level', atModuleLevel, EDIT_TARGET_MS));
  if (summary(full).median > FULL_TARGET_MS || summary(inFunction).median > EDIT_TARGET_MS) process.exitCode = 1;
}

if (require.main === module) main();
