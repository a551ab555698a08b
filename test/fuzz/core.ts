/**
 * Fuzz target: the equation parser, size binding, every optimizer and the cost model. A
 * failure is any exception other than a located EquationError, an error range outside the
 * text, an invalid path, a path search over its budget, or a count printed as non-finite.
 */
import type { Contraction } from 'einsight-server/core/contraction';
import { costOfPath, toPathProblem, validatePath } from 'einsight-server/core/cost';
import { EquationError, bindShapes, parseEquation } from 'einsight-server/core/equation';
import { optimizePath } from 'einsight-server/core/paths/index';
import type { OptimizerName } from 'einsight-server/core/paths/types';
import { scientific } from 'einsight-server/core/counts';
import { mutate, mutateShapes, randomEquation, type Random } from './generate';

export interface Failure {
  target: string;
  input: unknown;
  problem: string;
}

const AUTO_BUDGET_MS = 50;
/** How long past its budget a search may run before it counts as a hang. */
const BUDGET_SLACK_MS = 1000;

export function fuzzCoreOnce(random: Random): Failure | null {
  const generated = randomEquation(random, random() < 0.05 ? 60 : 10);
  const roll = random();
  const text = roll < 0.5 ? mutate(random, generated.text) : generated.text;
  const shapes = random() < 0.2 ? mutateShapes(random, generated.shapes) : generated.shapes;
  const input = { text, shapes };
  let contraction: Contraction;
  try {
    contraction = bindShapes(parseEquation(text), shapes as never, { dims: random() < 0.3 ? { N: 7 } : undefined });
  } catch (error) {
    if (!(error instanceof EquationError)) return { target: 'core', input, problem: `threw ${describe(error)}` };
    const { start, end } = error.range;
    if (!(start >= 0 && start <= end && end <= text.length)) {
      return { target: 'core', input, problem: `error range [${start}, ${end}) outside the text: ${error.message}` };
    }
    return null;
  }
  return checkPaths(contraction, input, random);
}

function checkPaths(contraction: Contraction, input: unknown, random: Random): Failure | null {
  const n = contraction.inputs.length;
  const optimizers: OptimizerName[] = ['auto'];
  if (n <= 10) optimizers.push('optimal', 'dp', 'greedy');
  if (n <= 7) optimizers.push('branch-2');
  if (random() < 0.1) optimizers.push('random-greedy');
  const problem = toPathProblem(contraction);
  for (const optimizer of optimizers) {
    const started = performance.now();
    let path;
    try {
      path = optimizePath(problem, { optimizer, timeBudgetMs: AUTO_BUDGET_MS, memoryLimit: random() < 0.1 ? 'max_input' : null }).path;
      validatePath(n, path);
    } catch (error) {
      return { target: 'core', input, problem: `${optimizer} threw ${describe(error)}` };
    }
    const ms = performance.now() - started;
    if (optimizer === 'auto' && ms > AUTO_BUDGET_MS + BUDGET_SLACK_MS) {
      return { target: 'core', input, problem: `auto took ${ms.toFixed(0)} ms with a ${AUTO_BUDGET_MS} ms budget` };
    }
    const cost = costOfPath(contraction, path);
    const last = cost.steps[cost.steps.length - 1].result;
    if (last.join() !== contraction.output.join()) return { target: 'core', input, problem: `${optimizer}: result labels differ from the output` };
    if (!/^\d\.\d{3}e[+-]\d{2,}$/.test(scientific(cost.flops))) return { target: 'core', input, problem: `count printed as ${scientific(cost.flops)}` };
    if (cost.flops < 0n) return { target: 'core', input, problem: 'negative FLOP count' };
  }
  return null;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
