/**
 * The `einsight.*` settings: defaults, and validation of whatever the client sends. A bad value
 * never reaches the analysis: it is reported once, in words naming the setting, and replaced by
 * its default, so one typo in settings.json does not silence the extension.
 */
import type { AnalysisOptions, PythonEnvironment, RuleCode } from '../analysis/model';
import { readEinsumFunctions } from '../environment/project-config';
import { bareRecord } from '../core/name-table';
import { OPTIMIZERS, type MemoryLimit, type OptimizerName } from '../core/paths/types';

export type SeverityOverride = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** Which contractions get a "Measure" code lens. */
export type CodeLensMode = 'findings' | 'all' | 'off';
const CODE_LENS_MODES: readonly CodeLensMode[] = ['findings', 'all', 'off'];

export interface EinsightSettings {
  enable: boolean;
  /** Sizes of symbolic dimensions and labels, by name. */
  dimensions: Record<string, number>;
  minSpeedup: number;
  optimizer: OptimizerName;
  memoryLimit: MemoryLimit;
  /** Per rule, by code (`EIN001`) or rule name (`wasted-flops`). */
  severity: Record<string, SeverityOverride>;
  inlayHints: { enable: boolean };
  codeLens: CodeLensMode;
  measure: { maxMemoryMB: number; runs: number; executionProvider: 'cpu' | 'cuda' };
  /** TypeScript/JavaScript: modules whose `einsum` export is a contraction site. */
  typescript: { einsumModules: string[] };
  /** Ranges of symbolic sizes (`{"nocc": "2..50"}` in einsight.dimensions). */
  dimensionRanges: Record<string, { min: number; max: number | null }>;
  /**
   * Python: the interpreter asked about the environment (empty: the Python extension's, else
   * python3), and functions that run an einsum.
   */
  python: { interpreter: string; einsumFunctions: Record<string, string> };
  /** Severity of cost findings in test code. */
  tests: { severity: SeverityOverride };
  /** Filled per document by the server (environment/document-context.ts), not by the user. */
  document?: DocumentFacts;
}

/** What the server learns about one document's project. */
export interface DocumentFacts {
  testFile: boolean;
  environment: PythonEnvironment | null;
  /** `[tool.einsight.einsum-functions]` of the nearest pyproject.toml. */
  einsumFunctions: Record<string, string>;
}

export const DEFAULT_SETTINGS: EinsightSettings = Object.freeze({
  enable: true,
  dimensions: {},
  minSpeedup: 2,
  optimizer: 'auto-hq',
  memoryLimit: null,
  severity: {},
  inlayHints: { enable: true },
  codeLens: 'findings',
  measure: { maxMemoryMB: 2048, runs: 10, executionProvider: 'cpu' as const },
  typescript: { einsumModules: [] },
  dimensionRanges: {},
  python: { interpreter: '', einsumFunctions: {} },
  tests: { severity: 'hint' as SeverityOverride },
});

const SEVERITIES: readonly SeverityOverride[] = ['error', 'warning', 'information', 'hint', 'off'];
const RULE_KEY = /^(EIN\d{3}|[a-z][a-z0-9-]*)$/;

export interface ParsedSettings {
  settings: EinsightSettings;
  /** One sentence per rejected value. */
  problems: string[];
}

/** Reads the `einsight` section as the client sent it (any JSON, or nothing). */
export function parseSettings(raw: unknown): ParsedSettings {
  const problems: string[] = [];
  const section = isRecord(raw) ? raw : {};
  if (raw !== undefined && raw !== null && !isRecord(raw)) problems.push('einsight settings must be an object; using the defaults');
  const pick = <T>(key: string, value: unknown, fallback: T, read: (v: unknown) => T | undefined, expected: string): T => {
    if (value === undefined || value === null) return fallback;
    const parsed = read(value);
    if (parsed !== undefined) return parsed;
    problems.push(`einsight.${key} must be ${expected} (got ${describe(value)}); using ${describe(fallback)}`);
    return fallback;
  };
  const inlay = isRecord(section.inlayHints) ? section.inlayHints : {};
  const measure = isRecord(section.measure) ? section.measure : {};
  const typescript = isRecord(section.typescript) ? section.typescript : {};
  const python = isRecord(section.python) ? section.python : {};
  const tests = isRecord(section.tests) ? section.tests : {};
  let ranges: EinsightSettings['dimensionRanges'] = {};
  return {
    settings: {
      enable: pick('enable', section.enable, DEFAULT_SETTINGS.enable, asBoolean, 'true or false'),
      dimensions: readDimensions(section.dimensions, problems, (read) => (ranges = read)),
      dimensionRanges: ranges,
      minSpeedup: pick('minSpeedup', section.minSpeedup, DEFAULT_SETTINGS.minSpeedup, (v) => asNumberAtLeast(v, 1), 'a number ≥ 1'),
      optimizer: pick('optimizer', section.optimizer, DEFAULT_SETTINGS.optimizer, asOptimizer, `one of ${OPTIMIZERS.join(', ')}`),
      memoryLimit: pick('memoryLimit', section.memoryLimit, DEFAULT_SETTINGS.memoryLimit, asMemoryLimit, '"none", "max_input" or a number of elements ≥ 1'),
      severity: readSeverity(section.severity, problems),
      inlayHints: {
        enable: pick('inlayHints.enable', inlay.enable, DEFAULT_SETTINGS.inlayHints.enable, asBoolean, 'true or false'),
      },
      codeLens: pick('codeLens', section.codeLens, DEFAULT_SETTINGS.codeLens, asCodeLensMode, `one of ${CODE_LENS_MODES.join(', ')}`),
      measure: {
        maxMemoryMB: pick('measure.maxMemoryMB', measure.maxMemoryMB, DEFAULT_SETTINGS.measure.maxMemoryMB, (v) => asNumberAtLeast(v, 1), 'a number of megabytes ≥ 1'),
        runs: pick('measure.runs', measure.runs, DEFAULT_SETTINGS.measure.runs, asRunCount, 'a whole number from 1 to 1000'),
        executionProvider: pick('measure.executionProvider', measure.executionProvider, DEFAULT_SETTINGS.measure.executionProvider, asExecutionProvider, '"cpu" or "cuda"'),
      },
      typescript: {
        einsumModules: pick('typescript.einsumModules', typescript.einsumModules, DEFAULT_SETTINGS.typescript.einsumModules, asStringList, 'a list of module names'),
      },
      python: {
        interpreter: pick('python.interpreter', python.interpreter, DEFAULT_SETTINGS.python.interpreter, (v) => (typeof v === 'string' ? v : undefined), 'a path'),
        einsumFunctions:
          python.einsumFunctions === undefined || python.einsumFunctions === null
            ? {}
            : readEinsumFunctions(python.einsumFunctions, (problem) => problems.push(`einsight.python.${problem}`)),
      },
      tests: {
        severity: pick('tests.severity', tests.severity, DEFAULT_SETTINGS.tests.severity, asSeverity, `one of ${SEVERITIES.join(', ')}`),
      },
    },
    problems,
  };
}

/** What the analysis reads from the settings. */
export function analysisOptions(settings: EinsightSettings): AnalysisOptions {
  return {
    dims: settings.dimensions,
    minSpeedup: settings.minSpeedup,
    bestOptimizer: settings.optimizer,
    memoryLimit: settings.memoryLimit,
    einsumModules: settings.typescript.einsumModules,
    dimRanges: Object.keys(settings.dimensionRanges).length > 0 ? settings.dimensionRanges : undefined,
    testSeverity: settings.tests.severity,
    testFile: settings.document?.testFile ?? false,
    environment: settings.document?.environment ?? undefined,
    // The settings' own declarations win over pyproject.toml's.
    einsumFunctions: { ...settings.document?.einsumFunctions, ...settings.python.einsumFunctions },
  };
}

/** The severity the user chose for a finding: by code first, then by rule name. */
export function severityOverride(settings: EinsightSettings, code: RuleCode, rule: string): SeverityOverride | undefined {
  return settings.severity[code] ?? settings.severity[rule];
}

/** Sizes by name: a positive integer, or a range `"2..50"` / `"100.."` (given to `withRanges`) within which the size stays symbolic. */
function readDimensions(value: unknown, problems: string[], withRanges: (ranges: EinsightSettings['dimensionRanges']) => void): Record<string, number> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.push(`einsight.dimensions must be an object of name → size (got ${describe(value)}); ignoring it`);
    return {};
  }
  const dims = bareRecord<number>();
  const ranges = bareRecord<{ min: number; max: number | null }>();
  for (const [name, size] of Object.entries(value)) {
    const range = typeof size === 'string' ? /^\s*(\d+)\s*\.\.\s*(\d*)\s*$/.exec(size) : null;
    if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 1) dims[name] = size;
    else if (range && Number(range[1]) >= 1 && (range[2] === '' || Number(range[2]) >= Number(range[1]))) {
      ranges[name] = { min: Number(range[1]), max: range[2] === '' ? null : Number(range[2]) };
    } else problems.push(`einsight.dimensions.${name} must be a positive integer or a range "MIN..MAX" (got ${describe(size)}); ignoring it`);
  }
  if (Object.keys(ranges).length > 0) withRanges(ranges);
  return dims;
}

function readSeverity(value: unknown, problems: string[]): Record<string, SeverityOverride> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.push(`einsight.severity must be an object of code → severity (got ${describe(value)}); ignoring it`);
    return {};
  }
  const severity = bareRecord<SeverityOverride>();
  for (const [key, level] of Object.entries(value)) {
    if (!RULE_KEY.test(key)) problems.push(`einsight.severity: '${key}' is neither a code like EIN001 nor a rule name; ignoring it`);
    else if (typeof level === 'string' && (SEVERITIES as readonly string[]).includes(level)) severity[key] = level as SeverityOverride;
    else problems.push(`einsight.severity.${key} must be one of ${SEVERITIES.join(', ')} (got ${describe(level)}); ignoring it`);
  }
  return severity;
}

function asBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function asNumberAtLeast(value: unknown, min: number): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= min ? value : undefined;
}

function asStringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0) ? [...value] : undefined;
}

function asSeverity(value: unknown): SeverityOverride | undefined {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value) ? (value as SeverityOverride) : undefined;
}

function asOptimizer(value: unknown): OptimizerName | undefined {
  return typeof value === 'string' && (OPTIMIZERS as readonly string[]).includes(value) ? (value as OptimizerName) : undefined;
}

function asRunCount(value: unknown): number | undefined {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1000 ? (value as number) : undefined;
}

function asExecutionProvider(value: unknown): 'cpu' | 'cuda' | undefined {
  return value === 'cpu' || value === 'cuda' ? value : undefined;
}

function asCodeLensMode(value: unknown): CodeLensMode | undefined {
  return typeof value === 'string' && (CODE_LENS_MODES as readonly string[]).includes(value) ? (value as CodeLensMode) : undefined;
}

/**
 * `none`, `max_input`, or a number of elements: as a string (what the settings UI edits) or, in
 * settings.json and other editors' settings, as a number.
 */
function asMemoryLimit(value: unknown): MemoryLimit | undefined {
  if (value === 'max_input') return value;
  if (value === 'none') return null;
  if (typeof value === 'string' && /^[1-9][0-9]*$/.test(value)) return Number(value);
  return asNumberAtLeast(value, 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
