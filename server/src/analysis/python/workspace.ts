/**
 * A workspace of Python files analysed as one program: a function's parameters merge the
 * arguments of its calls in every file, imports between the files are followed, and each
 * file's sites see the shapes of that whole-program analysis. `einsight check` builds one
 * over the files it walks; the language server keeps one as its background index.
 */
import { AnalysisBudget } from '../budget';
import { evaluate, CostCache } from '../evaluate';
import type { AnalysisOptions, FileAnalysis } from '../model';
import { isTooDeep, tooDeepAnalysis } from '../too-deep';
import { readPython } from './front-end';
import { PythonParser, type GrammarLocation } from './parser';
import { moduleNameOf, PythonProgram, type PythonModule } from './program';
import { buildScopes } from './scopes';
import { ShapeAnalysis } from './shape-analysis';

export class PythonWorkspace {
  readonly program = new PythonProgram();
  private analysis: ShapeAnalysis | null = null;
  private readonly refused = new Map<string, { text: string; error: unknown }>();
  private readonly cache = new CostCache();

  private constructor(private readonly parser: PythonParser) {}

  static async create(grammar?: GrammarLocation): Promise<PythonWorkspace> {
    return new PythonWorkspace(await PythonParser.create(grammar));
  }

  /**
   * Adds (or replaces) a file; `relativePath` (from the workspace root) names its module for
   * imports (`pkg/models.py` is `pkg.models`).
   */
  add(file: string, relativePath: string, text: string): void {
    this.analysis = null;
    this.refused.delete(file);
    try {
      const parsed = this.parser.parse(text);
      // The parser reuses the copies of statements it met in the last text: with a text of
      // nothing in between, no two files ever share a syntax node.
      this.parser.parse('');
      this.program.add(file, moduleNameOf(relativePath), parsed, buildScopes(parsed.module, parsed.text));
    } catch (error) {
      if (!isTooDeep(error)) throw error;
      this.program.remove(file);
      this.refused.set(file, { text, error });
    }
  }

  remove(file: string): void {
    this.analysis = null;
    this.program.remove(file);
    this.refused.delete(file);
  }

  /** The whole-program shape analysis, run once after the files last changed. */
  shapes(): ShapeAnalysis {
    if (!this.analysis) {
      this.analysis = new ShapeAnalysis(this.program);
      this.analysis.run();
    }
    return this.analysis;
  }

  /** Analyses one file of the workspace with the shapes of the whole program. */
  analyze(file: string, options: AnalysisOptions = {}): FileAnalysis | null {
    const refused = this.refused.get(file);
    if (refused) return tooDeepAnalysis('python', refused.text, refused.error);
    const module: PythonModule | null = this.program.module(file);
    if (!module) return null;
    const budget = new AnalysisBudget(options.timeLimitMs);
    try {
      return evaluate(readPython(module.parsed, options, null, null, budget, { analysis: this.shapes(), module }), options, this.cache, budget);
    } catch (error) {
      if (isTooDeep(error)) return tooDeepAnalysis('python', module.text, error);
      throw error;
    }
  }

  dispose(): void {
    this.parser.dispose();
  }
}
