/** A small, strict argument reader: unknown flags and missing values are usage errors. */
import { readEinsumFunctions } from '../environment/project-config';
import { bareRecord } from '../core/name-table';
import { exactSize, tooLargeForExactCounts } from '../analysis/python/hints';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** Flags that take a value (`--shapes 4x5`, or `--shapes=4x5`). */
  values: readonly string[];
  /** Flags that stand alone (`--json`). */
  switches: readonly string[];
}

export interface ParsedArgs {
  positional: string[];
  values: Map<string, string>;
  switches: Set<string>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const parsed: ParsedArgs = { positional: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-' || !arg.startsWith('-')) {
      parsed.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (spec.switches.includes(flag)) {
      if (eq > 0) throw new UsageError(`${flag} takes no value`);
      parsed.switches.add(flag);
    } else if (spec.values.includes(flag)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      if (parsed.values.has(flag)) throw new UsageError(`${flag} given twice`);
      parsed.values.set(flag, value);
    } else {
      throw new UsageError(`unknown option ${flag}`);
    }
  }
  return parsed;
}

/** `B=1000,N=64` → { B: 1000, N: 64 }. */
export function parseDims(text: string): Record<string, number> {
  const dims = bareRecord<number>();
  for (const entry of text.split(',')) {
    const match = /^\s*([\p{L}_][\p{L}\p{N}_]*)\s*=\s*(\d+)\s*$/u.exec(entry);
    if (!match) throw new UsageError(`--dims expects NAME=SIZE[,NAME=SIZE...], got '${entry}'`);
    const size = exactSize(match[2]);
    if (size === null) throw new UsageError(`--dims: ${tooLargeForExactCounts(`${match[1]}=${match[2]}`)}`);
    dims[match[1]] = size;
  }
  return dims;
}

/** `--time-limit SECONDS`: a file's analysis time limit in ms (`AnalysisOptions.timeLimitMs`); undefined for the default. */
export function parseTimeLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0) || seconds > 86_400) throw new UsageError(`--time-limit expects a number of seconds above 0 (at most 86400), got '${text}'`);
  return seconds * 1000;
}

export function parseNonNegativeInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} expects a non-negative integer, got '${text}'`);
  return Number(text);
}

/** `B=1000,nocc=10..50,nvir=100..`: exact sizes, and ranges that symbolic sizes stay within. */
export function parseDimSpec(text: string): { dims: Record<string, number>; ranges: Record<string, { min: number; max: number | null }> | undefined } {
  const exact: string[] = [];
  const ranges = bareRecord<{ min: number; max: number | null }>();
  for (const entry of text.split(',')) {
    const range = /^\s*([\p{L}_][\p{L}\p{N}_]*)\s*=\s*(\d+)\s*\.\.\s*(\d*)\s*$/u.exec(entry);
    if (!range) {
      exact.push(entry);
      continue;
    }
    const min = exactSize(range[2]);
    const max = range[3] === '' ? null : exactSize(range[3]);
    if (min === null || (range[3] !== '' && max === null)) throw new UsageError(`--dims: ${tooLargeForExactCounts(entry.trim())}`);
    if (min < 1 || (max !== null && max < min)) throw new UsageError(`--dims: the range of ${range[1]} must be MIN..MAX with 1 ≤ MIN ≤ MAX, got '${entry.trim()}'`);
    ranges[range[1]] = { min, max };
  }
  return { dims: exact.length > 0 ? parseDims(exact.join(',')) : {}, ranges: Object.keys(ranges).length > 0 ? ranges : undefined };
}

const TEST_SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'] as const;

/** `--test-severity`: the severity of cost findings in test code (default hint). */
export function parseTestSeverity(text: string | undefined): (typeof TEST_SEVERITIES)[number] {
  if (text === undefined) return 'hint';
  if (!(TEST_SEVERITIES as readonly string[]).includes(text)) throw new UsageError(`--test-severity must be one of ${TEST_SEVERITIES.join(', ')}, got '${text}'`);
  return text as (typeof TEST_SEVERITIES)[number];
}

/** `pyscf.lib.einsum=numpy.einsum(optimize=True);mylib.contract=opt_einsum.contract` */
export function parseEinsumFunctions(text: string): Record<string, string> {
  const functions = bareRecord<string>();
  for (const entry of text.split(';').filter((e) => e.trim() !== '')) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new UsageError(`--einsum-functions expects NAME=EINSUM[;NAME=EINSUM...], got '${entry}'`);
    const problems: string[] = [];
    const read = readEinsumFunctions({ [entry.slice(0, at).trim()]: entry.slice(at + 1).trim() }, (p) => problems.push(p));
    if (problems.length > 0) throw new UsageError(`--einsum-functions: ${problems[0]}`);
    Object.assign(functions, read);
  }
  return functions;
}
