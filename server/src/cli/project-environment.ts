/**
 * What the CLI commands learn about a file's project before analysing it: the Python
 * environment (the interpreter of `--python`, `python3` by default, asked once and in parallel
 * with walking the tree; the dependency files declared when it does not answer in time) and
 * the `[tool.einsight]` table of pyproject.toml. Project files that cannot be read are named
 * in `skipped`, the interpreter's failure in `notes`.
 */
import type { AnalysisOptions, PythonEnvironment } from '../analysis/model';
import type { SkippedFile } from '../analysis/regular-file';
import { DeclaredEnvironment } from '../environment/declared';
import { EnvironmentCache } from '../environment/probe';
import { ProjectConfigReader } from '../environment/project-config';

/** How long the first file waits for the interpreter's answer; then the declared dependencies stand in. */
const PROBE_DEADLINE_MS = 5_000;

export class ProjectEnvironment {
  private readonly declared = new DeclaredEnvironment();
  private readonly config = new ProjectConfigReader();
  private readonly cache = new EnvironmentCache();
  private asked: PythonEnvironment | null | undefined;
  /** The interpreter named with --python: its failure is worth a word; the default's is not. */
  private readonly explicit: boolean;
  readonly notes: string[] = [];

  constructor(
    private readonly python: string | undefined,
    private readonly declaredFunctions: Record<string, string> = {},
  ) {
    this.explicit = python !== undefined;
    // Started now, so the interpreter answers while the tree is walked; `none` asks no interpreter.
    if (python === 'none') this.asked = null;
    else this.cache.current(this.interpreter);
  }

  private get interpreter(): string {
    return this.python ?? 'python3';
  }

  /** The options every file of the project shares, completed for `file`. */
  async optionsFor(file: string, base: AnalysisOptions): Promise<AnalysisOptions> {
    if (this.asked === undefined) {
      this.asked = await this.cache.ready(this.interpreter, PROBE_DEADLINE_MS);
      const failure = this.cache.failure(this.interpreter);
      if (!this.asked && this.explicit) {
        this.notes.push(`--python: ${failure ?? `'${this.interpreter}' did not answer within ${PROBE_DEADLINE_MS / 1000} s`}; using the dependencies the project declares`);
      }
    }
    const environment = this.asked ?? this.declared.for(file);
    const einsumFunctions = { ...this.config.for(file).einsumFunctions, ...this.declaredFunctions };
    return { ...base, environment, einsumFunctions };
  }

  /** Project files that could not be read, each once. */
  get skipped(): SkippedFile[] {
    const all = [...this.declared.skipped, ...this.config.skipped];
    return all.filter((s, i) => all.findIndex((other) => other.path === s.path) === i);
  }

  get problems(): string[] {
    return [...this.notes, ...this.config.problems];
  }
}
