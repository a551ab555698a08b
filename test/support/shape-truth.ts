/**
 * The runtime-truth comparison of `npm run bench:shapes`: what `einsight check --format json`
 * says of every einsum operand of test/fixtures/shapes-truth/, against the shapes recorded by
 * running the modules (scripts/record-shape-truth.py, committed as truth.json).
 *
 * A dimension is *known and right* when the analysis gives the number every execution had;
 * *wrong* when it gives another number, a shape of another rank, a number for a size that
 * varies between executions, or one symbol for two sizes that differ. Symbols and unknown
 * sizes are neither. Sizes that vary between executions cannot be known as a number: they
 * are counted apart, not in the recall.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli';
import { REPO_ROOT } from './oracle';

export const TRUTH_FOLDER = join(REPO_ROOT, 'test', 'fixtures', 'shapes-truth');

export type Shape = number[] | null;

export interface TruthSite {
  file: string;
  line: number;
  column: number;
  /** Each distinct tuple of operand shapes seen when the module ran. */
  shapes: Shape[][];
}

export interface Truth {
  version: number;
  modules: Record<string, string>;
  sites: TruthSite[];
}

interface ReportedSite {
  file: string;
  line: number;
  column: number;
  shapes: (number | string | null)[][] | null[];
  findings: string[];
}

export interface ModuleScore {
  module: string;
  sites: number;
  dims: number;
  right: number;
  wrong: number;
  varying: number;
  falseErrors: number;
}

export interface TruthReport {
  modules: ModuleScore[];
  /** Recorded sites the analysis did not report at all. */
  missing: string[];
  /** Each wrong dimension, with why. */
  wrong: string[];
  /** EIN003 (or any error) on code that runs. */
  falseErrors: string[];
  /** Modules whose text changed since truth.json was recorded. */
  stale: string[];
  totals: ModuleScore;
}

export function loadTruth(folder = TRUTH_FOLDER): Truth {
  return JSON.parse(readFileSync(join(folder, 'truth.json'), 'utf8')) as Truth;
}

/** Runs `einsight check --format json` over the truth folder and scores it. */
export async function compareWithTruth(): Promise<TruthReport> {
  const truth = loadTruth();
  const { stdout } = await runCli(['check', TRUTH_FOLDER, '--format', 'json']);
  const reported = (JSON.parse(stdout) as { sites: ReportedSite[] }).sites;
  const byPlace = new Map<string, ReportedSite>();
  for (const site of reported) byPlace.set(`${baseName(site.file)}:${site.line}:${site.column}`, site);
  const report: TruthReport = { modules: [], missing: [], wrong: [], falseErrors: [], stale: staleModules(truth), totals: score('total') };
  const modules = new Map<string, ModuleScore>();
  for (const module of Object.keys(truth.modules)) modules.set(module, score(module));
  for (const site of truth.sites) {
    const place = `${site.file}:${site.line}:${site.column}`;
    const module = modules.get(site.file) ?? score(site.file);
    modules.set(site.file, module);
    module.sites++;
    const found = byPlace.get(place);
    if (!found) {
      report.missing.push(place);
      continue;
    }
    scoreSite(site, found, module, report.wrong, place);
    for (const code of found.findings) {
      if (code === 'EIN003' || code === 'EIN002') {
        module.falseErrors++;
        report.falseErrors.push(`${place} ${code}`);
      }
    }
  }
  report.modules = [...modules.values()].sort((a, b) => a.module.localeCompare(b.module));
  for (const m of report.modules) {
    for (const key of ['sites', 'dims', 'right', 'wrong', 'varying', 'falseErrors'] as const) report.totals[key] += m[key];
  }
  return report;
}

function score(module: string): ModuleScore {
  return { module, sites: 0, dims: 0, right: 0, wrong: 0, varying: 0, falseErrors: 0 };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function scoreSite(site: TruthSite, found: ReportedSite, module: ModuleScore, wrong: string[], place: string): void {
  const operands = site.shapes[0]?.length ?? 0;
  for (let k = 0; k < operands; k++) {
    const executions = site.shapes.map((tuple) => tuple[k]);
    if (executions.some((shape) => shape === null)) continue;
    const ranks = new Set(executions.map((shape) => shape!.length));
    const claimed = found.shapes[k] ?? null;
    const rank = executions[0]!.length;
    const varying = executions[0]!.map((_, i) => ranks.size > 1 || new Set(executions.map((shape) => shape![i])).size > 1);
    module.dims += varying.filter((v) => !v).length;
    module.varying += varying.filter((v) => v).length;
    if (claimed === null) continue;
    if (ranks.size > 1 || claimed.length !== rank) {
      module.wrong += rank;
      wrong.push(`${place} operand ${k}: rank ${claimed.length} claimed, ${[...ranks].join('/')} ran`);
      continue;
    }
    claimed.forEach((dim, i) => {
      if (typeof dim !== 'number') return;
      const actual = executions.map((shape) => shape![i]);
      if (varying[i] || actual[0] !== dim) {
        module.wrong++;
        wrong.push(`${place} operand ${k} axis ${i}: ${dim} claimed, ${[...new Set(actual)].join('/')} ran`);
      } else module.right++;
    });
  }
  checkSymbols(site, found, module, wrong, place);
}

/** One symbol within a site stands for one size: every execution must agree. */
function checkSymbols(site: TruthSite, found: ReportedSite, module: ModuleScore, wrong: string[], place: string): void {
  const bySymbol = new Map<string, [number, number][]>();
  found.shapes.forEach((claimed, k) => {
    claimed?.forEach((dim, i) => {
      if (typeof dim !== 'string') return;
      const list = bySymbol.get(dim) ?? [];
      list.push([k, i]);
      bySymbol.set(dim, list);
    });
  });
  for (const [symbol, axes] of bySymbol) {
    if (axes.length < 2) continue;
    for (const tuple of site.shapes) {
      const sizes = new Set(axes.map(([k, i]) => tuple[k]?.[i]));
      if (sizes.size > 1) {
        module.wrong++;
        wrong.push(`${place}: symbol ${symbol} stands for sizes ${[...sizes].join(' and ')}`);
        break;
      }
    }
  }
}

function staleModules(truth: Truth): string[] {
  const files = readdirSync(TRUTH_FOLDER).filter((name) => name.endsWith('.py'));
  const stale: string[] = [];
  for (const file of files) {
    const hash = createHash('sha1').update(readFileSync(join(TRUTH_FOLDER, file))).digest('hex');
    if (truth.modules[file] !== hash) stale.push(file);
  }
  for (const file of Object.keys(truth.modules)) if (!files.includes(file)) stale.push(file);
  return stale;
}

/** Known and right over the dimensions that do not vary between executions. */
export function recall(score: ModuleScore): number {
  return score.dims === 0 ? 1 : score.right / score.dims;
}
