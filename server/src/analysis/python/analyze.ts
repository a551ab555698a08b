/**
 * The Python front end's entry points: `analyzePython(text)` for one-off analyses,
 * `PythonDocument` for an editor buffer analysed edit after edit (incremental parse, shared
 * cost cache), `analyzePythonCells` for notebooks. Nothing in the source makes these throw.
 */
import { AnalysisBudget, type StopSignal } from '../budget';
import { CostCache, evaluate } from '../evaluate';
import type { AnalysisOptions, FileAnalysis } from '../model';
import { joinCells, type JoinedCells } from './cells';
import { DOCUMENT, UnitCache, readPython, type SharedAnalysis } from './front-end';
import { PythonProgram } from './program';
import { buildScopes } from './scopes';
import { ShapeAnalysis } from './shape-analysis';
import type { PythonWorkspace } from './workspace';
import { offsetMapOf } from './offsets';
import { ParserCrashedError, PythonParser, type GrammarLocation, type ParsedPython, type TextEdit } from './parser';
import { isTooDeep, tooDeepAnalysis } from '../too-deep';

export type { TextEdit } from './parser';

/** Analyses one Python source text. */
export async function analyzePython(text: string, options: AnalysisOptions = {}): Promise<FileAnalysis> {
  const parser = await sharedParser();
  const budget = new AnalysisBudget(options.timeLimitMs);
  try {
    return evaluate(readPython(parser.parse(text), options, null, null, budget), options, sharedCache, budget);
  } catch (error) {
    if (isTooDeep(error)) return tooDeepAnalysis('python', text, error);
    if (!(error instanceof ParserCrashedError)) throw error;
    // This file is lost; the next one gets a parser of the fresh module.
    parserPromise = null;
    const after = error.restarted ? 'the parser was restarted for the next files' : 'restart einsight to analyse Python again';
    return { language: 'python', sites: [], chains: [], findings: [], syntaxErrors: [], notAnalysed: { reason: `not analysed: ${error.message}; ${after}`, range: { start: 0, end: 0 } } };
  }
}

/** Analyses notebook cells as one module, in order; ranges are offsets into `cells.text`. */
export async function analyzePythonCells(
  cells: readonly string[],
  options: AnalysisOptions = {},
): Promise<{ analysis: FileAnalysis; cells: JoinedCells }> {
  const joined = joinCells(cells);
  return { analysis: await analyzePython(joined.text, options), cells: joined };
}

/** An editor buffer: re-parses incrementally and reuses the costs of unchanged contractions. */
export class PythonDocument {
  private last: ParsedPython | null = null;
  private readonly cache = new CostCache();
  private units = new UnitCache();
  /** The document as a program of one module, analysed edit after edit (see `ShapeAnalysis.run`). */
  private program = new PythonProgram();
  private shapes = new ShapeAnalysis(this.program);

  private constructor(
    private readonly parser: PythonParser,
    /** The language server's workspace index: a document in it is analysed as part of the whole program. */
    private readonly workspace: PythonWorkspace | null,
  ) {}

  static async open(grammar?: GrammarLocation, workspace: PythonWorkspace | null = null): Promise<PythonDocument> {
    return new PythonDocument(await PythonParser.create(grammar), workspace);
  }

  /**
   * Analyses `text`; `edits`, when given, turn the previously analysed text into `text`, in
   * order. Once `stop` is set the reading and pricing stop early (the text is still parsed, so
   * the next call's edits apply): the caller no longer wants this result.
   */
  analyze(text: string, edits: readonly TextEdit[] | null, options: AnalysisOptions = {}, stop: StopSignal | null = null): FileAnalysis {
    const budget = new AnalysisBudget(options.timeLimitMs, stop);
    try {
      let parsed = edits && this.last ? this.parser.edit(edits) : null;
      let map = parsed && edits ? offsetMapOf(edits) : null;
      // Edits that do not reproduce the text (a missed change) fall back to a full parse.
      if (!parsed || parsed.text !== text) {
        parsed = this.parser.parse(text);
        map = null;
      }
      this.last = parsed;
      const facts = buildScopes(parsed.module, parsed.text, this.units.scopes);
      const file = this.workspaceFile(options);
      let shared: SharedAnalysis;
      if (file && this.workspace) {
        // The live text replaces the file's indexed text; the program's analysis catches up incrementally.
        this.attached = file;
        shared = { module: this.workspace.attach(file, parsed, facts), analysis: this.workspace.shapes() };
      } else {
        this.program.einsumFunctions = options.einsumFunctions ?? {};
        shared = { module: this.program.add(DOCUMENT, null, parsed, facts), analysis: this.shapes };
        this.shapes.run();
      }
      return evaluate(readPython(parsed, options, this.units, map, budget, shared), options, this.cache, budget);
    } catch (error) {
      if (!isTooDeep(error)) throw error;
      // The units read so far may be half updated: the next analysis parses and reads afresh.
      this.units = new UnitCache();
      this.program = new PythonProgram();
      this.shapes = new ShapeAnalysis(this.program);
      this.last = null;
      return tooDeepAnalysis('python', text, error);
    }
  }

  /** The syntax tree of the last analysis. */
  get parsed(): ParsedPython | null {
    return this.last;
  }

  /** The document's name in the workspace index, when it is a Python file under one of its folders. */
  private workspaceFile(options: AnalysisOptions): string | null {
    const uri = options.documentUri;
    if (!this.workspace || !uri || !/\.pyi?$/.test(uri)) return null;
    return this.workspace.relativePath(uri) !== null ? uri : null;
  }

  dispose(): void {
    this.parser.dispose();
    // The index goes back to the file as saved.
    if (this.attached && this.workspace) this.workspace.detach(this.attached);
  }

  private attached: string | null = null;
}

let parserPromise: Promise<PythonParser> | null = null;
const sharedCache = new CostCache();

function sharedParser(): Promise<PythonParser> {
  parserPromise ??= PythonParser.create();
  return parserPromise;
}

