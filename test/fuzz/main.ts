/**
 * `npm run fuzz`: seeded fuzzing of the engine, the front ends and the CLI. CI runs it briefly
 * with the fixed default seed; `--seconds 3600` (or `--iterations`) runs it long, `--target NAME`
 * runs one target, `--failures FILE` writes every failing input in full (JSON Lines). Exit 1 on
 * any failure, printing each failing input so it can become a regression test.
 * `FUZZ_LOG_SLOW=MS` in the environment prints every front-end analysis that used more than MS
 * of processor time, failing or not, to see how close to the budget the slowest come.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { fuzzCliOnce } from './cli';
import { fuzzCoreOnce, type Failure } from './core';
import { OUTCOMES, fuzzPythonOnce, fuzzTypeScriptOnce, warmUp } from './front-ends';
import { makeRandom } from './generate';
import { fuzzEditsOnce, fuzzFramingOnce, fuzzHugeOnce, fuzzProjectOnce } from './hostile';

interface Target {
  name: string;
  /** Share of the run's time. */
  weight: number;
  once: (random: () => number) => Failure | null | Promise<Failure | null>;
}

/** The engine and the two front ends share the time evenly; the CLI, slower per input, gets less. */
const TARGETS: Target[] = [
  { name: 'core', weight: 3, once: fuzzCoreOnce },
  { name: 'python', weight: 3, once: fuzzPythonOnce },
  { name: 'typescript', weight: 3, once: fuzzTypeScriptOnce },
  { name: 'cli', weight: 1, once: fuzzCliOnce },
  { name: 'framing', weight: 1, once: fuzzFramingOnce },
  { name: 'edits', weight: 1, once: fuzzEditsOnce },
  { name: 'project', weight: 1, once: fuzzProjectOnce },
  { name: 'huge', weight: 1, once: fuzzHugeOnce },
];

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`fuzz: ${name} needs a non-negative number`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const seed = option('--seed', 20261126);
  const seconds = option('--seconds', 60);
  const iterations = option('--iterations', Infinity);
  const only = process.argv.includes('--target') ? process.argv[process.argv.indexOf('--target') + 1] : null;
  const failureFile = process.argv.includes('--failures') ? process.argv[process.argv.indexOf('--failures') + 1] : null;
  if (failureFile) writeFileSync(failureFile, '');
  const targets = TARGETS.filter((t) => only === null || t.name === only);
  if (targets.length === 0) {
    console.error(`fuzz: no target '${only}'; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
    process.exit(2);
  }
  await warmUp();
  const totalWeight = targets.reduce((sum, t) => sum + t.weight, 0);
  const failures: Failure[] = [];
  console.log(`einsight fuzz: seed ${seed}, ${seconds} s${Number.isFinite(iterations) ? `, ≤ ${iterations} inputs per target` : ''}`);
  for (const target of targets) {
    // Each target keeps its own stream (seed + its index), so one target's count does not move another's inputs.
    const random = makeRandom(seed + TARGETS.indexOf(target));
    const deadline = performance.now() + (seconds * 1000 * target.weight) / totalWeight;
    let tried = 0;
    while (tried < iterations && performance.now() < deadline) {
      const failure = await target.once(random);
      tried++;
      if (failure) {
        failures.push(failure);
        console.log(`FAIL ${target.name} (input ${tried}): ${failure.problem}\n  input: ${JSON.stringify(failure.input).slice(0, 2000)}`);
        if (failureFile) appendFileSync(failureFile, `${JSON.stringify({ ...failure, index: tried })}\n`);
      }
    }
    const outcomes = target.name === 'python' || target.name === 'typescript' ? ` (${JSON.stringify(OUTCOMES[target.name])})` : '';
    const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
    console.log(`${target.name}: ${tried} inputs, ${failures.filter((f) => f.target === target.name).length} failures${outcomes}, ${rss} MB resident`);
  }
  process.exitCode = failures.length > 0 ? 1 : 0;
}

void main();
