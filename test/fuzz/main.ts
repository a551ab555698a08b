/**
 * `npm run fuzz`: seeded fuzzing of the engine and the front ends. CI runs it briefly with the
 * fixed default seed; `--seconds 3600` (or `--iterations`) runs it long. Exit 1 on any failure,
 * printing each failing input so it can become a regression test.
 */
import { fuzzCoreOnce, type Failure } from './core';
import { makeRandom } from './generate';

interface Target {
  name: string;
  /** Share of the run's time. */
  weight: number;
  once: (random: () => number) => Failure | null;
}

const TARGETS: Target[] = [{ name: 'core', weight: 1, once: fuzzCoreOnce }];

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

function main(): void {
  const seed = option('--seed', 20261126);
  const seconds = option('--seconds', 60);
  const iterations = option('--iterations', Infinity);
  const only = process.argv.includes('--target') ? process.argv[process.argv.indexOf('--target') + 1] : null;
  const targets = TARGETS.filter((t) => only === null || t.name === only);
  const totalWeight = targets.reduce((sum, t) => sum + t.weight, 0);
  const failures: Failure[] = [];
  console.log(`einsight fuzz: seed ${seed}, ${seconds} s${Number.isFinite(iterations) ? `, ≤ ${iterations} inputs per target` : ''}`);
  targets.forEach((target, index) => {
    const random = makeRandom(seed + index);
    const deadline = performance.now() + (seconds * 1000 * target.weight) / totalWeight;
    let tried = 0;
    while (tried < iterations && performance.now() < deadline) {
      const failure = target.once(random);
      tried++;
      if (failure) {
        failures.push(failure);
        console.log(`FAIL ${target.name}: ${failure.problem}\n  input: ${JSON.stringify(failure.input).slice(0, 2000)}`);
      }
    }
    console.log(`${target.name}: ${tried} inputs, ${failures.filter((f) => f.target === target.name).length} failures`);
  });
  process.exitCode = failures.length > 0 ? 1 : 0;
}

main();
