/** `einsight check` output: one line per finding (text), or every site as one JSON document. */
import type { ContractionSite, FileAnalysis, Finding, SourceRange } from '../analysis/model';
import { toJson } from './format';
import { printable } from './printable';

/** Offsets of the analysed text to 1-based lines and columns; in a notebook, inside a cell. */
export interface Locator {
  position(offset: number): { line: number; column: number; cell?: number };
}

export interface FileReport {
  /** As shown to the user: relative to where the command ran, with `/` separators. */
  path: string;
  analysis: FileAnalysis;
  lines: Locator;
}

export interface Located {
  /** The notebook cell (1-based, as the notebook numbers them); absent for source files. */
  cell?: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function locate(report: FileReport, range: SourceRange): Located {
  const start = report.lines.position(range.start);
  const end = report.lines.position(range.end);
  if (start.cell === undefined) return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  // A range never leaves its cell; if it seems to, it ends where it starts.
  const sameCell = end.cell === start.cell;
  return {
    cell: start.cell,
    line: start.line,
    column: start.column,
    endLine: sameCell ? end.line : start.line,
    endColumn: sameCell ? end.column : start.column,
  };
}

/** `path:line:column`, or `path:cell N:line:column` in a notebook. */
export function formatLocation(path: string, at: { cell?: number; line: number; column: number }): string {
  return at.cell === undefined ? `${path}:${at.line}:${at.column}` : `${path}:cell ${at.cell}:${at.line}:${at.column}`;
}

/** `file`: in file order; `time`: the sites that took the most time in recorded runs first. */
export type ReportOrder = 'file' | 'time';

/** Stable: equal times (and findings without a recording) keep their file order. */
function byRecordedTime<T>(items: T[], timeOf: (item: T) => number | undefined): T[] {
  return items
    .map((item, index) => ({ item, index, time: timeOf(item) ?? -1 }))
    .sort((a, b) => b.time - a.time || a.index - b.index)
    .map(({ item }) => item);
}

export function textReport(reports: FileReport[], order: ReportOrder = 'file'): string {
  const lines: string[] = [];
  let findings = 0;
  let sites = 0;
  let all = reports.flatMap((report) => report.analysis.findings.map((finding) => ({ report, finding })));
  if (order === 'time') all = byRecordedTime(all, ({ finding }) => finding.observed?.timeNs);
  for (const report of reports) sites += report.analysis.sites.length;
  for (const { report, finding } of all) {
    lines.push(`${formatLocation(printable(report.path), locate(report, finding.range))} ${finding.code} ${finding.message}`);
    findings++;
  }
  const files = `${reports.length} file${reports.length === 1 ? '' : 's'}`;
  const siteText = `${sites} contraction site${sites === 1 ? '' : 's'}`;
  lines.push(findings === 0 ? `No findings in ${files} (${siteText}).` : `${findings} finding${findings === 1 ? '' : 's'} in ${files} (${siteText}).`);
  return lines.join('\n');
}

function siteJson(report: FileReport, site: ContractionSite, codes: ReadonlyMap<number, string[]>): Record<string, unknown> {
  const symbolic = site.symbolic;
  return {
    file: report.path,
    ...locate(report, site.range),
    kind: site.kind,
    library: site.library,
    callee: site.qualifiedName,
    equation: site.normalizedEquation,
    operands: site.operands.map((o) => o.text),
    shapes: site.operands.map((o) => o.shape?.dims ?? null),
    dynamic: site.dynamic,
    baseline: site.baseline && {
      method: site.baseline.method === 'optimizer' ? site.baseline.optimizer : site.baseline.method,
      description: site.baseline.description,
      flops: symbolic ? null : site.baseline.flops,
      flopsExpression: site.baseline.flopsExpression,
      scaling: site.baseline.scaling,
      path: site.baseline.path,
    },
    best: site.best && {
      optimizer: site.best.optimizer,
      flops: symbolic ? null : site.best.flops,
      flopsExpression: site.best.flopsExpression,
      scaling: site.best.scaling,
      path: site.best.path,
    },
    speedup: site.speedup === null ? null : Number(site.speedup.toPrecision(6)),
    chain: site.chain,
    findings: codes.get(site.id) ?? [],
    observed: site.observed && {
      calls: site.observed.calls,
      timeNs: site.observed.timeNs,
      share: site.observed.share === null ? null : Number(site.observed.share.toPrecision(4)),
      runs: site.observed.runs,
      used: site.observed.used,
      shapes: site.observed.variants.map((v) => ({
        equation: v.equation,
        shapes: v.shapes,
        dtypes: v.dtypes,
        calls: v.calls,
        timeNs: v.timeNs,
        baselineFlops: v.baselineFlops,
        bestFlops: v.bestFlops,
        speedup: v.speedup === null ? null : Number(v.speedup.toPrecision(6)),
      })),
      otherCalls: site.observed.otherCalls,
      conflicts: site.observed.conflicts,
    },
  };
}

/** Each site's finding codes, found once per file: a search of the findings per site made the JSON of N sites cost N². */
function findingCodesBySite(report: FileReport): Map<number, string[]> {
  const codes = new Map<number, string[]>();
  for (const finding of report.analysis.findings) {
    if (finding.site === null) continue;
    const list = codes.get(finding.site);
    if (list) list.push(finding.code);
    else codes.set(finding.site, [finding.code]);
  }
  return codes;
}

/** Files einsight did not analyse, or not fully (too deep, too large, out of time): where and why. */
export function unanalysed(reports: FileReport[]): { report: FileReport; range: SourceRange; reason: string }[] {
  return reports.flatMap((report) =>
    [report.analysis.notAnalysed, report.analysis.incomplete].flatMap((skipped) => (skipped ? [{ report, range: skipped.range, reason: skipped.reason }] : [])),
  );
}

function findingJson(report: FileReport, finding: Finding): Record<string, unknown> {
  return {
    file: report.path,
    ...locate(report, finding.range),
    code: finding.code,
    rule: finding.rule,
    severity: finding.severity,
    message: finding.message,
    // With symbolic sizes: the sizes the claim depends on (null: it holds at every size).
    condition: finding.condition ?? null,
    ...(finding.observed ? { observed: finding.observed } : {}),
  };
}

export function jsonReport(reports: FileReport[], order: ReportOrder = 'file'): string {
  const codes = new Map(reports.map((report) => [report, findingCodesBySite(report)]));
  let sites = reports.flatMap((report) => report.analysis.sites.map((site) => ({ report, site })));
  let findings = reports.flatMap((report) => report.analysis.findings.map((finding) => ({ report, finding })));
  if (order === 'time') {
    sites = byRecordedTime(sites, ({ site }) => site.observed?.timeNs);
    findings = byRecordedTime(findings, ({ finding }) => finding.observed?.timeNs);
  }
  return toJson(
    {
      files: reports.length,
      sites: sites.map(({ report, site }) => siteJson(report, site, codes.get(report)!)),
      findings: findings.map(({ report, finding }) => findingJson(report, finding)),
      notAnalysed: unanalysed(reports).map(({ report, range, reason }) => ({ file: report.path, ...locate(report, range), reason })),
    },
    2,
  );
}
