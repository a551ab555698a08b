/**
 * The `einsight.*` settings: defaults, and validation of whatever the client sends. A bad value
 * never reaches the analysis: it is reported once, in words naming the setting, and replaced by
 * its default, so one typo in settings.json does not silence the extension.
 */
import type { AnalysisOptions, RuleCode } from '../analysis/model';
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
  return {
    settings: {
      enable: pick('enable', section.enable, DEFAULT_SETTINGS.enable, asBoolean, 'true or false'),
      dimensions: readDimensions(section.dimensions, problems),
      minSpeedup: pick('minSpeedup', section.minSpeedup, DEFAULT_SETTINGS.minSpeedup, (v) => asNumberAtLeast(v, 1), 'a number ≥ 1'),
      optimizer: pick('optimizer', section.optimizer, DEFAULT_SETTINGS.optimizer, asOptimizer, `one of ${OPTIMIZERS.join(', ')}`),
      memoryLimit: pick('memoryLimit', section.memoryLimit, DEFAULT_SETTINGS.memoryLimit, asMemoryLimit, 'a number of elements ≥ 1 or "max_input"'),
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
  };
}

/** The severity the user chose for a finding: by code first, then by rule name. */
export function severityOverride(settings: EinsightSettings, code: RuleCode, rule: string): SeverityOverride | undefined {
  return settings.severity[code] ?? settings.severity[rule];
}

function readDimensions(value: unknown, problems: string[]): Record<string, number> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.push(`einsight.dimensions must be an object of name → size (got ${describe(value)}); ignoring it`);
    return {};
  }
  const dims = bareRecord<number>();
  for (const [name, size] of Object.entries(value)) {
    if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 1) dims[name] = size;
    else problems.push(`einsight.dimensions.${name} must be a positive integer (got ${describe(size)}); ignoring it`);
  }
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

function asMemoryLimit(value: unknown): MemoryLimit | undefined {
  if (value === 'max_input') return value;
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
