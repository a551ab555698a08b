/**
 * `.einsight/observed.json`: what `einsight record` saw at each contraction site of a run of
 * the user's own program (docs/observed.md describes the format). Shapes, dtypes, devices,
 * call counts and times only: no tensor value is ever written. This module reads and checks
 * the file (a malformed entry is skipped with a reason, never trusted) and writes it back.
 */

export const OBSERVED_VERSION = 1;
/** Distinct shape signatures kept per site; further calls are counted in `otherShapes`. */
export const MAX_SHAPES_PER_SITE = 32;
/** Runs remembered in the file (the newest last). */
export const MAX_RUNS = 20;

export interface ObservedOperand {
  /** Sizes; null for a size the run could not read (a symbolic size), or null for the whole shape when the operand has none. */
  shape: (number | null)[] | null;
  dtype?: string;
  device?: string;
}

/** One distinct signature seen at a site: the equation as the library got it and the operands. */
export interface ObservedShape {
  /** Null for a matrix product, or an equation einsight could not keep (too long, not text). */
  equation: string | null;
  operands: ObservedOperand[];
  calls: number;
  timeNs: number;
}

export interface ObservedSite {
  /** The function called, as the recorder wrapped it: `numpy.einsum`, `operator.matmul`, `pkg.ops.my_einsum`. */
  callee: string;
  /** The calling expression: 1-based lines, 1-based columns counted in characters (code points). */
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** The source of the calling expression when it was recorded. */
  text?: string;
  /** Fingerprints of the lines around the call (two before, two after; "" past the file's ends). */
  near?: string[];
  calls: number;
  timeNs: number;
  shapes: ObservedShape[];
  otherShapes?: { calls: number; timeNs: number };
  /** Made inside a declared einsum wrapper that was itself recorded: its time is part of that call's. */
  nested?: boolean;
}

export interface ObservedRun {
  command: string[];
  /** ISO 8601. */
  started: string;
  durationMs: number;
  exitCode: number | null;
  processes: number;
  calls: number;
}

export interface ObservedFile {
  version: typeof OBSERVED_VERSION;
  generator: string;
  runs: ObservedRun[];
  /** By path relative to the base folder (see `observedBase`), with `/` separators. */
  files: Record<string, ObservedSite[]>;
}

export type Parsed<T> = { ok: T; problems: string[] } | { error: string };

export function emptyObserved(generator: string): ObservedFile {
  return { version: OBSERVED_VERSION, generator, runs: [], files: Object.create(null) as Record<string, ObservedSite[]> };
}

/** Reads the file's text. A wrong version or shape of the whole is an error; a bad entry is skipped with a problem. */
export function parseObserved(text: string): Parsed<ObservedFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` };
  }
  if (!isRecord(raw)) return { error: 'expected a JSON object' };
  if (raw.version !== OBSERVED_VERSION) {
    return { error: `format version ${JSON.stringify(raw.version)} is not ${OBSERVED_VERSION}, the one this einsight reads` };
  }
  if (!isRecord(raw.files)) return { error: "'files' must be an object of path → sites" };
  const problems: string[] = [];
  const files = Object.create(null) as Record<string, ObservedSite[]>;
  for (const [path, entries] of Object.entries(raw.files)) {
    if (!Array.isArray(entries)) {
      problems.push(`${path}: expected a list of sites`);
      continue;
    }
    const sites: ObservedSite[] = [];
    entries.forEach((entry, i) => {
      const site = readSite(entry);
      if (typeof site === 'string') problems.push(`${path}: site ${i + 1}: ${site}`);
      else sites.push(site);
    });
    if (sites.length > 0) files[path] = sites;
  }
  const runs = Array.isArray(raw.runs) ? raw.runs.filter(isRun) : [];
  const generator = typeof raw.generator === 'string' ? raw.generator : 'unknown';
  return { ok: { version: OBSERVED_VERSION, generator, runs, files }, problems };
}

/** One site as the recorder or an earlier merge wrote it; a string says what is wrong. */
export function readSite(value: unknown): ObservedSite | string {
  if (!isRecord(value)) return 'expected an object';
  const { callee, line, column, endLine, endColumn, text, near, calls, timeNs, shapes, otherShapes, nested } = value;
  if (typeof callee !== 'string' || callee.length === 0) return "'callee' must be a name";
  if (!isCount(line) || line < 1) return "'line' must be a line number";
  if (!isCount(calls) || !isCount(timeNs)) return "'calls' and 'timeNs' must be counts";
  if (!Array.isArray(shapes)) return "'shapes' must be a list";
  const site: ObservedSite = { callee, line, calls, timeNs, shapes: [] };
  if ([column, endLine, endColumn].every((n) => isCount(n) && n >= 1) && typeof text === 'string') {
    Object.assign(site, { column, endLine, endColumn, text });
  }
  if (Array.isArray(near) && near.every((n) => typeof n === 'string')) site.near = near as string[];
  for (const shape of shapes) {
    const read = readShape(shape);
    if (typeof read === 'string') return `a shape: ${read}`;
    site.shapes.push(read);
  }
  if (isRecord(otherShapes) && isCount(otherShapes.calls) && isCount(otherShapes.timeNs)) {
    site.otherShapes = { calls: otherShapes.calls, timeNs: otherShapes.timeNs };
  }
  if (nested === true) site.nested = true;
  return site;
}

function readShape(value: unknown): ObservedShape | string {
  if (!isRecord(value)) return 'expected an object';
  const { equation, operands, calls, timeNs } = value;
  if (equation !== null && typeof equation !== 'string') return "'equation' must be text or null";
  if (!Array.isArray(operands)) return "'operands' must be a list";
  if (!isCount(calls) || !isCount(timeNs)) return "'calls' and 'timeNs' must be counts";
  const read: ObservedOperand[] = [];
  for (const operand of operands) {
    if (!isRecord(operand)) return 'an operand must be an object';
    const shape = operand.shape;
    if (shape !== null && !(Array.isArray(shape) && shape.every((d) => d === null || (isCount(d) && d <= Number.MAX_SAFE_INTEGER)))) {
      return "an operand's 'shape' must be a list of sizes or null";
    }
    const entry: ObservedOperand = { shape: shape as (number | null)[] | null };
    if (typeof operand.dtype === 'string') entry.dtype = operand.dtype;
    if (typeof operand.device === 'string') entry.device = operand.device;
    read.push(entry);
  }
  return { equation: equation as string | null, operands: read, calls, timeNs };
}

function isRun(value: unknown): value is ObservedRun {
  return (
    isRecord(value) &&
    Array.isArray(value.command) &&
    value.command.every((part) => typeof part === 'string') &&
    typeof value.started === 'string' &&
    typeof value.durationMs === 'number' &&
    (value.exitCode === null || typeof value.exitCode === 'number') &&
    isCount(value.processes) &&
    isCount(value.calls)
  );
}

/** The file as written: paths sorted, sites in line order, so that a re-recording changes little. */
export function serializeObserved(file: ObservedFile): string {
  const runs = file.runs.map((run) => `    ${JSON.stringify(run)}`).join(',\n');
  const files = Object.keys(file.files)
    .sort()
    .map((path) => {
      const sites = [...file.files[path]].sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
      return `    ${JSON.stringify(path)}: [\n${sites.map(siteText).join(',\n')}\n    ]`;
    })
    .join(',\n');
  return [
    '{',
    `  "version": ${file.version},`,
    `  "generator": ${JSON.stringify(file.generator)},`,
    `  "runs": [${runs ? `\n${runs}\n  ` : ''}],`,
    `  "files": {${files ? `\n${files}\n  ` : ''}}`,
    '}',
    '',
  ].join('\n');
}

/** One site: its fields in a fixed order, one line each, and one line per shape. */
function siteText(site: ObservedSite): string {
  const { shapes, ...rest } = site;
  const ordered: Record<string, unknown> = {};
  for (const key of ['callee', 'line', 'column', 'endLine', 'endColumn', 'text', 'near', 'nested', 'calls', 'timeNs', 'otherShapes'] as const) {
    if (rest[key] !== undefined) ordered[key] = rest[key];
  }
  const fields = Object.entries(ordered).map(([key, value]) => `        ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  const shapeLines = shapes.map((shape) => `          ${JSON.stringify(shape)}`).join(',\n');
  fields.push(`        "shapes": [${shapeLines ? `\n${shapeLines}\n        ` : ''}]`);
  return `      {\n${fields.join(',\n')}\n      }`;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
