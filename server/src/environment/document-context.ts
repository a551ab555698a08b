/**
 * What the language server learns about a document's project, added to its settings before
 * each analysis: whether it is test code (by its path inside the workspace folder), the Python
 * environment (the interpreter of `einsight.python.interpreter`, else the one the client's
 * Python extension selected, else `python3`; asked once, never waited on: until it answers,
 * and when it cannot, the project's declared dependencies stand in) and the
 * `[tool.einsight]` table of pyproject.toml.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isTestPath } from '../analysis/test-paths';
import type { DocumentFacts, EinsightSettings } from '../workspace/settings';
import { DeclaredEnvironment } from './declared';
import { EnvironmentCache } from './probe';
import { ProjectConfigReader } from './project-config';

export class DocumentContext {
  private environments = new EnvironmentCache();
  private declared = new DeclaredEnvironment();
  private config = new ProjectConfigReader();
  private folders: string[] = [];
  /** The interpreter the client's Python extension selected, when it told us. */
  private selected: string | null = null;

  /** `answered`: an interpreter's answer arrived after analyses ran without it. */
  constructor(private readonly answered: () => void) {}

  setWorkspaceFolders(uris: readonly string[]): void {
    this.folders = uris.map(pathOf).filter((p): p is string => p !== null).sort((a, b) => b.length - a.length);
  }

  /** The client's selected interpreter changed (or was first told): environments are asked again. */
  setSelectedInterpreter(path: string | null): void {
    if (path === this.selected) return;
    this.selected = path;
    this.refresh();
  }

  /** Project files may have changed: read them again on the next analysis. */
  refresh(): void {
    this.environments = new EnvironmentCache();
    this.declared = new DeclaredEnvironment();
    this.config = new ProjectConfigReader();
  }

  /** The settings with what is known now about the document's project. */
  with(uri: string, settings: EinsightSettings): EinsightSettings {
    const path = pathOf(uri);
    if (path === null) return { ...settings, document: { testFile: false, environment: null, einsumFunctions: {} } };
    const interpreter = settings.python.interpreter || this.selected || 'python3';
    const environments = this.environments;
    const asked = environments.current(interpreter, () => {
      // Only an answer this cache still stands for is news.
      if (environments === this.environments) this.answered();
    });
    const document: DocumentFacts = {
      testFile: isTestPath(this.inWorkspace(path)),
      environment: asked ?? this.declared.for(path),
      einsumFunctions: this.config.for(path).einsumFunctions,
    };
    return { ...settings, document };
  }

  /** Problems with project files, for the log. */
  problems(): string[] {
    return [...this.config.problems, ...this.declared.skipped.map((s) => `skipped '${s.path}': ${s.reason}`)];
  }

  private inWorkspace(path: string): string {
    const folder = this.folders.find((f) => path.startsWith(`${f}/`) || path.startsWith(`${f}\\`));
    return folder ? relative(folder, path) : path;
  }
}

function pathOf(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}
