/**
 * The TypeScript/JavaScript front end's entry points: `analyzeTypeScript(text)` for one-off
 * analyses and `TypeScriptDocument` for an editor buffer analysed edit after edit (incremental
 * parse, shared cost cache). Same model as Python: sites and data-flow facts go through the
 * shared evaluation. Nothing in the source makes these throw.
 */
import ts from 'typescript';
import { AnalysisBudget, type StopSignal } from '../budget';
import { CostCache, evaluate, type FrontEndOutput } from '../evaluate';
import type { AnalysisOptions, FileAnalysis, FlowFacts, SiteDiagnostic } from '../model';
import { TFJS_MODULES } from './callees';
import { ConstantEvaluator } from './constants';
import { environmentKey, GroupCache, isSelfContained } from './group-cache';
import { collectHints } from './hints';
import { NameResolver } from './names';
import { TypeScriptParser, type ParsedTypeScript, type ScriptFlavor, type TextEdit } from './parser';
import { SiteReader, type GroupSites } from './read-sites';
import { refuseTooLarge } from '../source-size';
import { isTooDeep, tooDeepAnalysis } from '../too-deep';
export type { ScriptFlavor, TextEdit } from './parser';
export { scriptFlavor } from './parser';

const sharedCache = new CostCache();

/** Analyses one TypeScript or JavaScript source text. */
export function analyzeTypeScript(text: string, options: AnalysisOptions = {}, flavor: ScriptFlavor = 'ts'): FileAnalysis {
  const budget = new AnalysisBudget(options.timeLimitMs);
  try {
    refuseTooLarge(text);
    return analyzeParsed(new TypeScriptParser(flavor).parse(text), options, sharedCache, undefined, budget);
  } catch (error) {
    if (isTooDeep(error)) return tooDeepAnalysis('typescript', text, error);
    throw error;
  }
}

/** An editor buffer: re-parses incrementally and reuses the costs of unchanged contractions. */
export class TypeScriptDocument {
  private parser: TypeScriptParser;
  private last: ParsedTypeScript | null = null;
  private readonly cache = new CostCache();
  private groups = new GroupCache();

  constructor(private readonly flavor: ScriptFlavor) {
    this.parser = new TypeScriptParser(flavor);
  }

  /** Analyses `text` as PythonDocument.analyze does, stopping early once `stop` is set. */
  analyze(text: string, edits: readonly TextEdit[] | null, options: AnalysisOptions = {}, stop: StopSignal | null = null): FileAnalysis {
    const budget = new AnalysisBudget(options.timeLimitMs, stop);
    try {
      refuseTooLarge(text);
      let parsed = edits && this.last ? this.parser.edit(edits) : null;
      // Edits that do not reproduce the text (a missed change) fall back to a full parse.
      if (!parsed || parsed.text !== text) parsed = this.parser.parse(text);
      this.last = parsed;
      return analyzeParsed(parsed, options, this.cache, this.groups, budget);
    } catch (error) {
      if (!isTooDeep(error)) throw error;
      // The tree and the scopes may be half updated: the next analysis starts afresh.
      this.parser.dispose();
      this.parser = new TypeScriptParser(this.flavor);
      this.groups = new GroupCache();
      this.last = null;
      return tooDeepAnalysis('typescript', text, error);
    }
  }

  dispose(): void {
    this.parser.dispose();
    this.last = null;
  }
}

export function analyzeParsed(
  parsed: ParsedTypeScript,
  options: AnalysisOptions,
  cache: CostCache,
  groups: GroupCache = new GroupCache(),
  budget = new AnalysisBudget(options.timeLimitMs),
): FileAnalysis {
  return evaluate(readTypeScript(parsed, options, groups, budget), options, cache, budget);
}

function readTypeScript(parsed: ParsedTypeScript, options: AnalysisOptions, groups: GroupCache, budget: AnalysisBudget): FrontEndOutput {
  const { sourceFile, scopes } = parsed;
  const einsumModules = options.einsumModules ?? [];
  const modules = parsed.statements.flatMap((s) => s.modules);
  const tensorMethods = modules.some((m) => TFJS_MODULES.has(m));
  const hints = collectHints(sourceFile);
  const notes: SiteDiagnostic[] = hints.all.flatMap((hint) =>
    hint.errors.map((e): SiteDiagnostic => ({ code: 'EIN008', severity: 'warning', message: e.message, range: e.range })),
  );
  const output: FrontEndOutput = { language: 'typescript', sites: [], flow: { links: [], scalars: new Map() }, syntaxErrors: parsed.syntaxErrors, notes, importsOptEinsum: false };
  // Without tfjs or a listed module, no call can be a site.
  if (!tensorMethods && !modules.some((m) => einsumModules.includes(m))) return output;

  const dims = options.dims ?? {};
  groups.begin(sourceFile, environmentKey(sourceFile, parsed.statements, JSON.stringify([dims, einsumModules, tensorMethods])));
  const names = new NameResolver(scopes);
  const reader = new SiteReader(names, new ConstantEvaluator(names), hints, { dims, einsumModules, tensorMethods }, budget);
  const found: GroupSites[] = [];
  const moduleCalls: ts.CallExpression[] = [];
  for (const facts of parsed.statements) {
    if (!isSelfContained(facts.statement)) {
      // One at a time: a statement may hold a hundred thousand calls, too many to spread.
      for (const call of facts.calls) moduleCalls.push(call);
      continue;
    }
    let sites = groups.get(facts.statement);
    if (!sites) {
      sites = reader.read(facts.calls);
      if (!sites.partial) groups.set(facts.statement, sites);
    }
    found.push(sites);
  }
  found.push(reader.read(moduleCalls));
  return { ...output, ...numberSites(found) };
}

/** Numbers the sites of all groups in source order and carries the numbers into flow and limits. */
function numberSites(groups: GroupSites[]): Pick<FrontEndOutput, 'sites' | 'flow' | 'siteDiagnostics'> {
  const all = groups.flatMap((group, g) => group.sites.map((site) => ({ site, g })));
  all.sort((a, b) => a.site.range.start - b.site.range.start);
  const ids = groups.map((group) => new Array<number>(group.sites.length));
  all.forEach(({ site, g }, id) => (ids[g][site.id] = id));
  const flow: FlowFacts = { links: [], scalars: new Map() };
  const siteDiagnostics = new Map<number, SiteDiagnostic[]>();
  groups.forEach((group, g) => {
    const id = ids[g];
    for (const link of group.flow.links) flow.links.push({ ...link, producer: id[link.producer], consumer: id[link.consumer] });
    for (const [site, factors] of group.flow.scalars) flow.scalars.set(id[site], factors);
    for (const [site, errors] of group.limits) siteDiagnostics.set(id[site], errors);
  });
  return { sites: all.map(({ site }, id) => ({ ...site, id })), flow, siteDiagnostics };
}
