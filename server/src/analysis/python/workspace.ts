/**
 * A workspace of Python files analysed as one program: a function's parameters merge the
 * arguments of its calls in every file, imports between the files are followed, and each
 * file's sites see the shapes of that whole-program analysis. `einsight check` builds one
 * over the files it walks; the language server keeps one as its background index, into which
 * open documents put their live text (see `PythonDocument`).
 */
import { AnalysisBudget } from '../budget';
import { evaluate, CostCache } from '../evaluate';
import type { AnalysisOptions, FileAnalysis } from '../model';
import { isTooDeep, tooDeepAnalysis } from '../too-deep';
import { readPython } from './front-end';
import { PythonParser, type GrammarLocation, type ParsedPython } from './parser';
import { moduleNameOf, PythonProgram, type PythonModule } from './program';
import { buildScopes, type ModuleFacts } from './scopes';
import { ShapeAnalysis } from './shape-analysis';

/**
 * A `step` analyses units for at most this long (and at most UNITS_PER_STEP of them), so a large
 * workspace is indexed in slices between other work: a count alone made a slice of 200 small
 * units take 130 ms, and more on a loaded machine.
 */
const STEP_MS = 50;
const UNITS_PER_STEP = 200;

export class PythonWorkspace {
  readonly program: PythonProgram;
  readonly analysis: ShapeAnalysis;
  private dirty = false;
  private readonly refused = new Map<string, { text: string; error: unknown }>();
  private readonly cache = new CostCache();
  /** Folders (paths or URIs, no trailing separator) whose files are named as modules from there. */
  private roots: string[] = [];

  private constructor(
    private readonly parser: PythonParser,
    einsumFunctions: Readonly<Record<string, string>>,
  ) {
    this.program = new PythonProgram(einsumFunctions);
    this.analysis = new ShapeAnalysis(this.program);
  }

  static async create(grammar?: GrammarLocation, einsumFunctions: Readonly<Record<string, string>> = {}): Promise<PythonWorkspace> {
    return new PythonWorkspace(await PythonParser.create(grammar), einsumFunctions);
  }

  /** The folders files are found under; a file's path below one names its module (`pkg/models.py` is `pkg.models`). */
  setRoots(roots: readonly string[]): void {
    this.roots = roots.map((root) => root.replace(/[\\/]+$/, ''));
  }

  /** The path of `file` below a root, or null when it is in none. */
  relativePath(file: string): string | null {
    for (const root of this.roots) {
      if (file.startsWith(`${root}/`) || file.startsWith(`${root}\\`)) return file.slice(root.length + 1);
    }
    return null;
  }

  /** Files an open document holds: their live text stands, whatever is saved. */
  private readonly attached = new Set<string>();

  /**
   * Adds (or replaces) a file from its text; `relativePath` overrides the name from the roots;
   * `einsumFunctions`, the wrappers its project declares.
   */
  add(file: string, text: string, relativePath: string | null = this.relativePath(file), einsumFunctions?: Readonly<Record<string, string>>): void {
    if (this.attached.has(file)) return;
    this.refused.delete(file);
    try {
      const parsed = this.parser.parse(text);
      // The parser reuses the copies of statements it met in the last text: with a text of
      // nothing in between, no two files ever share a syntax node.
      this.parser.parse('');
      this.addParsed(file, parsed, buildScopes(parsed.module, parsed.text), relativePath, einsumFunctions);
    } catch (error) {
      if (!isTooDeep(error)) throw error;
      this.remove(file);
      this.refused.set(file, { text, error });
    }
  }

  /** Adds a file parsed elsewhere: an open document's live text, which stands until `detach`. */
  attach(file: string, parsed: ParsedPython, facts: ModuleFacts, relativePath: string | null = this.relativePath(file)): PythonModule {
    this.attached.add(file);
    return this.addParsed(file, parsed, facts, relativePath);
  }

  private addParsed(file: string, parsed: ParsedPython, facts: ModuleFacts, relativePath: string | null, einsumFunctions?: Readonly<Record<string, string>>): PythonModule {
    this.dirty = true;
    return this.program.add(file, relativePath === null ? null : moduleNameOf(relativePath), parsed, facts, einsumFunctions);
  }

  /** How to read a file as saved (the language server sets it), to go back to it when its editor closes. */
  readSaved: ((file: string) => string | null) | null = null;

  /** The document holding a file closed: the saved text stands again (forgotten when it is gone). */
  detach(file: string): void {
    this.attached.delete(file);
    const text = this.readSaved?.(file) ?? null;
    if (text === null) this.remove(file);
    else this.add(file, text);
  }

  remove(file: string): void {
    this.dirty = true;
    this.program.remove(file);
    this.refused.delete(file);
  }

  /**
   * Brings the whole-program analysis up to date with at most `units` analyses of functions
   * and modules, begun within `ms` milliseconds; true when it is (false: call again to go on).
   */
  step(units = UNITS_PER_STEP, ms = STEP_MS): boolean {
    if (!this.dirty) return true;
    const done = this.analysis.run(units, performance.now() + ms);
    if (done) this.dirty = false;
    return done;
  }

  /** The whole-program shape analysis, up to date. */
  shapes(): ShapeAnalysis {
    while (!this.step(Number.MAX_SAFE_INTEGER, Infinity));
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

  get files(): number {
    return [...this.program.modules].length;
  }

  dispose(): void {
    this.parser.dispose();
  }
}
