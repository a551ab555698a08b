/**
 * Quick fixes and `source.fixAll.einsight`. The rewrite engine (`rewrite/`) computes each fix as offset edits
 * on the analysed text; here they become a WorkspaceEdit on the documents that text came from,
 * pinned to the document versions the analysis saw, so an editor that has moved on rejects
 * them instead of corrupting text. A fix whose edits cannot be placed exactly is not offered.
 */
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { FileAnalysis } from '../analysis/model';
import { fixAll, siteFixes, type FixEdit } from '../rewrite/index';
import type { AnalysisResult } from '../workspace/scheduler';
import type { UnitSnapshot } from '../workspace/snapshot';
import { ourDiagnostic, type DiagnosticData } from './diagnostics';
import { overlaps } from './sites';
import { withheldReason } from './withheld';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.einsight`;

export function codeActions(
  result: AnalysisResult,
  uri: string,
  range: Range,
  context: { only?: string[]; diagnostics: Diagnostic[] },
  client: { versioned: boolean; disabledSupport: boolean },
): CodeAction[] {
  const { versioned } = client;
  const { analysis, snapshot } = result;
  const slice = snapshot.slice(uri);
  if (!analysis || !slice) return [];
  const actions: CodeAction[] = [];
  if (wants(context.only, CodeActionKind.QuickFix)) {
    const wanted = { start: slice.start + slice.document.offsetAt(range.start), end: slice.start + slice.document.offsetAt(range.end) };
    const sites = new Set(analysis.sites.filter((s) => overlaps(s.range, wanted)).map((s) => s.id));
    for (const diagnostic of context.diagnostics) {
      const data = diagnosticData(result, uri, diagnostic);
      if (data?.site !== null && data?.site !== undefined) sites.add(data.site);
    }
    const seen = new Set<string>();
    for (const site of [...sites].sort((a, b) => a - b)) {
      const { fixes, withheld } = siteFixes(analysis, site, snapshot.text);
      for (const fix of fixes) {
        const edit = workspaceEdit(fix.edits, snapshot, versioned);
        const key = `${fix.title}\u0000${JSON.stringify(fix.edits)}`;
        if (!edit || seen.has(key)) continue;
        seen.add(key);
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: context.diagnostics.filter((d) => d.code === fix.code && concerns(diagnosticData(result, uri, d), site, analysis)),
          ...(fix.isPreferred ? { isPreferred: true } : {}),
          edit,
        });
      }
      // A withheld fix is listed, greyed out, with why it is not offered.
      for (const fix of client.disabledSupport ? withheld : []) {
        const reason = `not offered: ${withheldReason(fix, snapshot, uri)}`;
        if (seen.has(`${fix.title}\u0000${reason}`)) continue;
        seen.add(`${fix.title}\u0000${reason}`);
        actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, disabled: { reason } });
      }
    }
  }
  if (context.only?.some((kind) => FIX_ALL_KIND === kind || FIX_ALL_KIND.startsWith(`${kind}.`))) {
    const fix = fixAll(analysis, snapshot.text);
    const edit = fix ? workspaceEdit(fix.edits, snapshot, versioned) : null;
    if (fix && edit) actions.push({ title: fix.title, kind: FIX_ALL_KIND, edit });
  }
  return actions;
}

/** The edit of `source.fixAll.einsight`, for the `einsight.server.fixAll` command. */
export function fixAllEdit(result: AnalysisResult, versioned: boolean): WorkspaceEdit | null {
  if (!result.analysis) return null;
  const fix = fixAll(result.analysis, result.snapshot.text);
  return fix ? workspaceEdit(fix.edits, result.snapshot, versioned) : null;
}

/** A diagnostic is about the site, or about a chain the site belongs to. */
function concerns(data: DiagnosticData | null, site: number, analysis: FileAnalysis): boolean {
  if (!data) return false;
  if (data.site === site) return true;
  return data.chain !== null && analysis.chains.some((c) => c.id === data.chain && c.members.includes(site));
}

/** Whether the client asked for this kind (no `only`: every kind but source actions). */
function wants(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
}

/** What the diagnostic is about, when it is one of this analysis' own. */
function diagnosticData(result: AnalysisResult, uri: string, diagnostic: Diagnostic): DiagnosticData | null {
  return (ourDiagnostic(result, uri, diagnostic)?.data as DiagnosticData | undefined) ?? null;
}

/** Offset edits → one WorkspaceEdit; null when an edit is out of range, spans two cells or overlaps another. */
export function workspaceEdit(edits: readonly FixEdit[], snapshot: UnitSnapshot, versioned: boolean): WorkspaceEdit | null {
  if (edits.length === 0) return null;
  const sorted = [...edits].sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
  for (let i = 0; i < sorted.length; i++) {
    const { start, end } = sorted[i].range;
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= snapshot.text.length)) return null;
    if (i > 0 && start < sorted[i - 1].range.end) return null;
  }
  const byUri = new Map<string, TextEdit[]>();
  for (const edit of sorted) {
    const location = snapshot.locate(edit.range);
    if (!location) return null;
    // A notebook's magics are masked in the analysed text: never replace text the editor has differently.
    const slice = snapshot.slice(location.uri)!;
    if (slice.document.getText(location.range) !== snapshot.text.slice(edit.range.start, edit.range.end)) return null;
    const list = byUri.get(location.uri) ?? [];
    list.push({ range: location.range, newText: edit.newText });
    byUri.set(location.uri, list);
  }
  if (!versioned) return { changes: Object.fromEntries(byUri) };
  return {
    documentChanges: [...byUri].map(([uri, textEdits]) => ({
      textDocument: { uri, version: snapshot.slice(uri)!.version },
      edits: textEdits,
    })),
  };
}
