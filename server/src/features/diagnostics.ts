/**
 * Findings → LSP diagnostics, grouped by the document they land in (a notebook's findings go
 * to the cells holding them). Each carries its rule code, a link to the rule's page, the user's
 * severity for that rule, and `data` naming the site or chain so code actions can find it again
 * (kept on the server: see `publishedForm`).
 */
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
} from 'vscode-languageserver';
import type { ChainInfo, ContractionSite, FileAnalysis, Finding, SourceRange } from '../analysis/model';
import type { AnalysisResult } from '../workspace/scheduler';
import { severityOverride, type EinsightSettings } from '../workspace/settings';
import type { UnitSnapshot } from '../workspace/snapshot';

export const DIAGNOSTIC_SOURCE = 'einsight';
const RULES_BASE_URL = 'https://github.com/einsight/einsight/blob/main/docs/rules';

/**
 * What a diagnostic remembers for code actions: what it is about. Nothing version-specific, so a
 * diagnostic unchanged by an edit is not published again (code actions match it to the current
 * analysis by its range, code and message: see `ourDiagnostic`).
 */
export interface DiagnosticData {
  site: number | null;
  chain: number | null;
}

/**
 * A diagnostic as the client gets it: without `data`, which only the server reads (code actions
 * find their diagnostic again by range, code and message: `ourDiagnostic`). Sites are numbered
 * in file order, so a call typed above others renumbers them all; sent, the numbers would make
 * every later diagnostic look changed, and the whole list would be published again.
 */
export function publishedForm(diagnostic: Diagnostic): Diagnostic {
  const published = { ...diagnostic };
  delete published.data;
  return published;
}

export function ruleUrl(code: string): string {
  return `${RULES_BASE_URL}/${code}.md`;
}

const computed = new WeakMap<AnalysisResult, Map<string, Diagnostic[]>>();

/** Diagnostics for every document of the unit; documents without findings get an empty list. */
export function diagnosticsByDocument(result: AnalysisResult): Map<string, Diagnostic[]> {
  let byUri = computed.get(result);
  if (!byUri) {
    byUri = computeDiagnostics(result);
    computed.set(result, byUri);
  }
  return byUri;
}

/**
 * The diagnostic of this analysis that a client's diagnostic (sent back with a code action
 * request) stands for: same document, range, code and message. Null for anything else, whatever
 * its `data` claims.
 */
export function ourDiagnostic(result: AnalysisResult, uri: string, sent: Diagnostic): Diagnostic | null {
  if (sent?.source !== DIAGNOSTIC_SOURCE || !sent.range) return null;
  const same = (a: Diagnostic['range'], b: Diagnostic['range']) =>
    a.start.line === b.start?.line && a.start.character === b.start?.character && a.end.line === b.end?.line && a.end.character === b.end?.character;
  return diagnosticsByDocument(result).get(uri)?.find((d) => d.code === sent.code && d.message === sent.message && same(d.range, sent.range)) ?? null;
}

function computeDiagnostics(result: AnalysisResult): Map<string, Diagnostic[]> {
  const byUri = new Map<string, Diagnostic[]>(result.snapshot.slices.map((slice) => [slice.uri, []]));
  const analysis = result.analysis;
  if (!analysis) return byUri;
  const index: AnalysisIndex = {
    sites: new Map(analysis.sites.map((s) => [s.id, s])),
    chains: new Map(analysis.chains.map((c) => [c.id, c])),
  };
  for (const finding of analysis.findings) {
    const diagnostic = toDiagnostic(finding, index, result.snapshot, result.settings);
    if (diagnostic) byUri.get(diagnostic.uri)?.push(diagnostic.diagnostic);
  }
  const notice = noticeOf(analysis);
  const location = notice && (result.snapshot.locate(notice.range) ?? result.snapshot.locate({ start: notice.range.start, end: notice.range.start }));
  if (notice && location) byUri.get(location.uri)?.push({ range: location.range, severity: DiagnosticSeverity.Information, source: DIAGNOSTIC_SOURCE, message: notice.reason });
  return byUri;
}

/**
 * Why the file was not analysed, or not fully (too large, too deep, out of time): shown where
 * it happened, without a rule code, so that a silent Problems panel is not taken for "nothing
 * to report".
 */
export function noticeOf(analysis: FileAnalysis): { reason: string; range: SourceRange } | null {
  return analysis.notAnalysed ?? analysis.incomplete ?? null;
}

/** Sites and chains by id: a file can hold hundreds of each. */
interface AnalysisIndex {
  sites: Map<number, ContractionSite>;
  chains: Map<number, ChainInfo>;
}

function toDiagnostic(
  finding: Finding,
  index: AnalysisIndex,
  snapshot: UnitSnapshot,
  settings: EinsightSettings,
): { uri: string; diagnostic: Diagnostic } | null {
  const override = severityOverride(settings, finding.code, finding.rule);
  if (override === 'off') return null;
  // A range across two notebook cells (never expected) is shown at its start.
  const location = snapshot.locate(finding.range) ?? snapshot.locate({ start: finding.range.start, end: finding.range.start });
  if (!location) return null;
  const data: DiagnosticData = { site: finding.site, chain: finding.chain };
  const diagnostic: Diagnostic = {
    range: location.range,
    severity: toSeverity(override ?? finding.severity),
    code: finding.code,
    codeDescription: { href: ruleUrl(finding.code) },
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    data,
  };
  const chain = finding.chain !== null ? index.chains.get(finding.chain) : undefined;
  if (chain) diagnostic.relatedInformation = chainStatements(chain, index, snapshot);
  return { uri: location.uri, diagnostic };
}

/** One entry per statement of a fusable chain: the reader sees every line a fix would touch. */
function chainStatements(chain: ChainInfo, index: AnalysisIndex, snapshot: UnitSnapshot): DiagnosticRelatedInformation[] {
  const related: DiagnosticRelatedInformation[] = [];
  for (const memberId of chain.members) {
    const site = index.sites.get(memberId);
    if (!site) continue;
    const location = snapshot.locate(site.statementRange);
    if (!location) continue;
    const link = chain.links.find((l) => l.producer === memberId);
    const equation = site.normalizedEquation ?? site.equation.text ?? site.callee;
    const message = link
      ? `${equation}: its result${link.name ? ` '${link.name}'` : ''} only feeds the next call of the chain`
      : `${equation}: the chain's result`;
    related.push({ location, message });
  }
  return related;
}

function toSeverity(severity: 'error' | 'warning' | 'information' | 'hint'): DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'information':
      return DiagnosticSeverity.Information;
    case 'hint':
      return DiagnosticSeverity.Hint;
  }
}
