/**
 * The opt_einsum 3.4 reference data (copied from ../shared/oracle into test/fixtures/oracle so
 * a clone alone can test and benchmark), bound through the real parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Contraction } from 'einsight-server/core/contraction';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { toPathProblem } from 'einsight-server/core/cost';
import type { PathProblem } from 'einsight-server/core/paths/types';

// Compiled to test/out/support, three levels below the repository root.
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** Counts beyond 2^53 are kept as digit strings so they compare exactly (BigInt(x) takes both). */
export type Count = number | string;

export interface OracleReference {
  path?: number[][];
  flops?: Count;
  largest?: Count;
  naive_flops?: Count;
  ms?: number;
  error?: string;
}

export type OracleMethod = 'optimal' | 'branch-2' | 'dp' | 'greedy';

export interface OracleCase {
  id: string;
  eq: string;
  shapes: number[][];
  n: number;
  ref: Partial<Record<OracleMethod, OracleReference>>;
  exact_min_flops?: Count;
  memory_limit?: number;
  ref_memory_limited?: Partial<Record<OracleMethod, OracleReference>>;
}

export function loadOracle(file: 'paths.jsonl' | 'paths-large.jsonl'): OracleCase[] {
  const text = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'oracle', file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(quoteBigIntegers(line)) as OracleCase);
}

export function contractionOf(c: OracleCase): Contraction {
  return bindShapes(parseEquation(c.eq), c.shapes);
}

export function problemOf(c: OracleCase): PathProblem {
  return toPathProblem(contractionOf(c));
}

/** Python writes big integers exactly; JSON.parse would round them to doubles. */
function quoteBigIntegers(line: string): string {
  return line.replace(/(:\s*)(\d{16,})(?=\s*[,}])/g, '$1"$2"');
}
