/**
 * TypeScript and JavaScript source through the `typescript` compiler API: a syntax tree kept
 * up to date incrementally (`ts.updateSourceFile` with the edit's change range, which reuses
 * the nodes of every statement the edit did not touch) and a single-file program for the
 * parser's diagnostics. No lib or module is loaded and nothing is bound or type-checked.
 */
import ts from 'typescript';
import type { SourceRange } from '../model';
import type { ScriptFlavor } from './flavor';
import { FileScopes, type StatementFacts } from './scopes';

export { scriptFlavor, type ScriptFlavor } from './flavor';

/** A change to the text: [start, end) in the text before the change is replaced by `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}


const FILE_NAMES: Record<ScriptFlavor, string> = { ts: '/einsight.ts', tsx: '/einsight.tsx', js: '/einsight.js', jsx: '/einsight.jsx' };
const SCRIPT_KINDS: Record<ScriptFlavor, ts.ScriptKind> = {
  ts: ts.ScriptKind.TS,
  tsx: ts.ScriptKind.TSX,
  js: ts.ScriptKind.JS,
  jsx: ts.ScriptKind.JSX,
};

const COMPILER_OPTIONS: ts.CompilerOptions = {
  noLib: true,
  noResolve: true,
  types: [],
  allowJs: true,
  checkJs: false,
  target: ts.ScriptTarget.Latest,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
};

export interface ParsedTypeScript {
  text: string;
  sourceFile: ts.SourceFile;
  /** Names and declarations, kept up to date statement by statement. */
  scopes: FileScopes;
  /** What each top-level statement holds, in order. */
  statements: readonly StatementFacts[];
  syntaxErrors: SourceRange[];
}

export class TypeScriptParser {
  private sourceFile: ts.SourceFile | null = null;
  private program: ts.Program | null = null;
  private readonly scopes = new FileScopes();
  private readonly fileName: string;
  private readonly host: ts.CompilerHost;

  constructor(readonly flavor: ScriptFlavor) {
    this.fileName = FILE_NAMES[flavor];
    this.host = {
      getSourceFile: (name) => (name === this.fileName ? (this.sourceFile ?? undefined) : undefined),
      getDefaultLibFileName: () => '/lib.d.ts',
      writeFile: () => undefined,
      getCurrentDirectory: () => '/',
      getCanonicalFileName: (name) => name,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => '\n',
      fileExists: (name) => name === this.fileName,
      readFile: () => undefined,
    };
  }

  get currentText(): string {
    return this.sourceFile?.text ?? '';
  }

  /** Parses `text` from scratch. */
  parse(text: string): ParsedTypeScript {
    this.sourceFile = ts.createSourceFile(this.fileName, text, ts.ScriptTarget.Latest, true, SCRIPT_KINDS[this.flavor]);
    this.program = null;
    return this.finish();
  }

  /**
   * Applies edits in order (each against the text left by the previous one) and re-parses
   * incrementally: TypeScript reuses every node outside the changed span.
   */
  edit(edits: readonly TextEdit[]): ParsedTypeScript {
    if (!this.sourceFile) return this.parse(applyEdits('', edits).text);
    const { text, changes } = applyEdits(this.sourceFile.text, edits);
    if (changes.length === 0) return this.finish();
    const change = ts.collapseTextChangeRangesAcrossMultipleVersions(changes);
    this.sourceFile = ts.updateSourceFile(this.sourceFile, text, change);
    return this.finish();
  }

  dispose(): void {
    this.sourceFile = null;
    this.program = null;
  }

  private finish(): ParsedTypeScript {
    const sourceFile = this.sourceFile!;
    // Creating the program parses nothing again; the old one lets TypeScript reuse its structure.
    this.program = ts.createProgram({ rootNames: [this.fileName], options: COMPILER_OPTIONS, host: this.host, oldProgram: this.program ?? undefined });
    const syntaxErrors = this.program
      .getSyntacticDiagnostics(sourceFile)
      .map((d) => ({ start: d.start ?? 0, end: (d.start ?? 0) + Math.max(d.length ?? 0, 0) }));
    return { text: sourceFile.text, sourceFile, scopes: this.scopes, statements: this.scopes.update(sourceFile), syntaxErrors };
  }
}

function applyEdits(original: string, edits: readonly TextEdit[]): { text: string; changes: ts.TextChangeRange[] } {
  let text = original;
  const changes: ts.TextChangeRange[] = [];
  for (const edit of edits) {
    const start = clamp(edit.start, text.length);
    const end = clamp(Math.max(edit.end, start), text.length);
    text = text.slice(0, start) + edit.text + text.slice(end);
    changes.push(ts.createTextChangeRange(ts.createTextSpan(start, end - start), edit.text.length));
  }
  return { text, changes };
}

function clamp(offset: number, length: number): number {
  return Math.min(Math.max(0, offset), length);
}
