/**
 * `einsight path`: the contraction path of one equation (a PathInfo-like report or JSON), or
 * of many, as JSON Lines in and out (`--batch FILE`, `-` for stdin).
 */
import { readFileSync } from 'node:fs';
import { analyzeContraction } from '../core/analyze';
import type { Dim } from '../core/contraction';
import { naiveCost } from '../core/cost';
import { EquationError, bindShapes, parseEquation } from '../core/equation';
import { OPTIMIZERS, type MemoryLimit, type OptimizeOptions, type OptimizerName } from '../core/paths/types';
import { UsageError, parseArgs, parseDims, parseNonNegativeInteger } from './args';
import { toJson } from './format';
import { pathReportJson, pathReportText } from './path-report';

export const PATH_USAGE = `usage: einsight path EQUATION --shapes SHAPES [options]
       einsight path --batch FILE|- [options]

  --shapes 1000x4x5,1000x5x8,Bx8   one shape per operand; a dimension is a number, a name
                                   (symbolic size) or ? (unknown); an empty shape is a scalar
  --dims B=1000,N=64               sizes of symbolic names
  --default-size N                 stand-in for sizes that stay symbolic (default 64)
  --optimize M                     ${OPTIMIZERS.join(', ')} (default auto)
  --memory-limit N|max_input       largest intermediate allowed, in elements
  --objective flops|size           what to minimise first (default flops)
  --seed N                         seed of random-greedy (default 0)
  --outer                          dp: also consider outer products between subgraphs
  --json                           one JSON object instead of the report`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => string;
}

export function runPath(argv: readonly string[], io: Io): number {
  const args = parseArgs(argv, {
    values: ['--shapes', '--dims', '--default-size', '--optimize', '--memory-limit', '--objective', '--seed', '--batch'],
    switches: ['--json', '--outer'],
  });
  const dims = args.values.has('--dims') ? parseDims(args.values.get('--dims') as string) : {};
  const defaultSize = args.values.has('--default-size')
    ? parseNonNegativeInteger('--default-size', args.values.get('--default-size') as string)
    : undefined;
  const options = optimizeOptions(
    args.values.get('--optimize'),
    args.values.get('--memory-limit'),
    args.values.get('--objective'),
    args.values.get('--seed'),
  );
  if (args.switches.has('--outer')) options.searchOuter = true;
  const batch = args.values.get('--batch');
  if (batch !== undefined) {
    if (args.positional.length > 0 || args.values.has('--shapes')) {
      throw new UsageError('--batch reads equations and shapes from its file; give no EQUATION or --shapes');
    }
    const text = batch === '-' ? io.readStdin() : readBatchFile(batch);
    io.stdout(runBatch(text, options, dims, defaultSize));
    return 0;
  }
  if (args.positional.length !== 1) throw new UsageError('give exactly one EQUATION (quote it)');
  const equation = args.positional[0];
  const shapesText = args.values.get('--shapes');
  const shapes = shapesText === undefined ? null : parseShapes(shapesText);
  try {
    const parsed = parseEquation(equation);
    const contraction = bindShapes(parsed, shapes, { dims, defaultSize });
    const analysis = analyzeContraction(contraction, options);
    io.stdout(args.switches.has('--json') ? toJson(pathReportJson(analysis), 2) : pathReportText(analysis));
    return 0;
  } catch (error) {
    if (error instanceof EquationError) {
      io.stderr(`einsight path: ${error.message}\n  ${equation}\n  ${caret(equation, error.range)}`);
      return 2;
    }
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

function readBatchFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Marks [start, end) under the equation; an empty range gets one caret at its position. */
function caret(text: string, range: { start: number; end: number }): string {
  const width = (s: string) => [...s].length;
  return ' '.repeat(width(text.slice(0, range.start))) + '^'.repeat(Math.max(1, width(text.slice(range.start, range.end))));
}

export function parseShapes(text: string): Dim[][] {
  return text.split(',').map((shape) => {
    if (shape.trim() === '') return [];
    return shape.split('x').map((dim) => {
      const d = dim.trim();
      if (/^\d+$/.test(d)) return Number(d);
      if (d === '?') return null;
      if (/^[\p{L}_][\p{L}\p{N}_]*$/u.test(d)) return d;
      throw new UsageError(`--shapes: '${dim}' in '${shape}' is not a size, a name or ?`);
    });
  });
}

export function optimizeOptions(
  optimizer: string | undefined,
  memoryLimit: string | undefined,
  objective: string | undefined,
  seed: string | undefined,
): OptimizeOptions {
  if (optimizer !== undefined && !(OPTIMIZERS as readonly string[]).includes(optimizer)) {
    throw new UsageError(`--optimize must be one of ${OPTIMIZERS.join(', ')} (got '${optimizer}')`);
  }
  if (objective !== undefined && objective !== 'flops' && objective !== 'size') {
    throw new UsageError(`--objective must be flops or size (got '${objective}')`);
  }
  let limit: MemoryLimit = null;
  if (memoryLimit !== undefined) {
    limit = memoryLimit === 'max_input' ? 'max_input' : parseNonNegativeInteger('--memory-limit', memoryLimit);
  }
  return {
    optimizer: optimizer as OptimizerName | undefined,
    memoryLimit: limit,
    objective: objective as 'flops' | 'size' | undefined,
    seed: seed === undefined ? undefined : parseNonNegativeInteger('--seed', seed),
  };
}

interface BatchRequest {
  eq?: unknown;
  shapes?: unknown;
  optimize?: unknown;
  memory_limit?: unknown;
}

/** One JSON line out per line in, in order; a bad line gets `{"error"}` and the rest go on. */
export function runBatch(text: string, defaults: OptimizeOptions, dims: Record<string, number>, defaultSize?: number): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines
    .map((line, i) => {
      try {
        return toJson(solveBatchLine(line, defaults, dims, defaultSize));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return toJson({ error: `line ${i + 1}: ${message}` });
      }
    })
    .map((l) => `${l}\n`)
    .join('');
}

function solveBatchLine(line: string, defaults: OptimizeOptions, dims: Record<string, number>, defaultSize?: number) {
  let request: BatchRequest;
  try {
    request = JSON.parse(line) as BatchRequest;
  } catch {
    throw new Error('not valid JSON');
  }
  if (typeof request !== 'object' || request === null) throw new Error('expected a JSON object');
  if (typeof request.eq !== 'string') throw new Error('"eq" must be a string');
  const shapes = request.shapes === undefined ? null : batchShapes(request.shapes);
  const overrides = optimizeOptions(
    request.optimize === undefined ? undefined : String(request.optimize),
    request.memory_limit === undefined || request.memory_limit === null ? undefined : String(request.memory_limit),
    undefined,
    undefined,
  );
  const options: OptimizeOptions = {
    ...defaults,
    optimizer: overrides.optimizer ?? defaults.optimizer,
    memoryLimit: request.memory_limit === undefined ? defaults.memoryLimit : overrides.memoryLimit,
  };
  const contraction = bindShapes(parseEquation(request.eq), shapes, { dims, defaultSize });
  const started = performance.now();
  const analysis = analyzeContraction(contraction, options);
  const ms = performance.now() - started;
  return {
    path: analysis.best.path,
    flops: analysis.best.flops,
    largest: analysis.best.largest,
    naive_flops: naiveCost(contraction).flops,
    ms: Math.round(ms * 1000) / 1000,
  };
}

function batchShapes(value: unknown): Dim[][] {
  if (!Array.isArray(value)) throw new Error('"shapes" must be an array of shapes');
  return value.map((shape, k) => {
    if (!Array.isArray(shape)) throw new Error(`shape ${k} must be an array`);
    return shape.map((d) => {
      if (d === null || typeof d === 'string' || (typeof d === 'number' && Number.isInteger(d) && d >= 0)) return d as Dim;
      throw new Error(`shape ${k} has an invalid dimension ${JSON.stringify(d)}`);
    });
  });
}
