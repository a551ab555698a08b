/** `einsight measure FILE:LINE[:COL]` / `FILE --site ID`: the analysed site a measurement runs. */
import type { AnalysisOptions, ContractionSite, FileAnalysis } from '../analysis/model';
import { analyzePython } from '../analysis/python/analyze';
import { analyzeTypeScript, scriptFlavor } from '../analysis/typescript/analyze';
import type { MeasureRequest, MeasureSource } from '../measure/output';
import { MeasureError } from '../measure/problem';
import { problemFromSite, siteAt, siteById } from '../measure/site';
import type { FileObservations } from '../analysis/observed/store';
import { dimsOfVariant } from '../analysis/observed/variants';
import { UsageError } from './args';
import { ProjectEnvironment } from './project-environment';
import { decodeUtf8, readBytes } from './source-text';
import { printable } from './printable';

export interface FileRequest {
  /** Measure the site with this id instead of the one at a position. */
  site?: number;
  dims: Record<string, number>;
  /** Reads the text from elsewhere than the file (an unsaved editor buffer on stdin). */
  readText?: () => string;
  /** A VS Code language id; otherwise the file's extension decides. */
  language?: string;
  /** Told about each project file that could not be read (and so was not consulted). */
  warn?: (message: string) => void;
  /** The interpreter asked what the environment has (`--python`; `none` reads the declared dependencies). */
  python?: string;
  /** The recordings of `einsight record` for a source file (`--observed` / `--no-observed`). */
  observed?: (file: string) => FileObservations | null;
}

type Analyzer = (text: string, options: AnalysisOptions) => Promise<FileAnalysis> | FileAnalysis;

const LANGUAGES = 'python, typescript, typescriptreact, javascript, javascriptreact';

/** The front end for a VS Code language id, or else for the file's extension. */
function analyzerFor(file: string, language: string | undefined): Analyzer {
  const python = language === undefined ? /\.pyi?$/i.test(file) : language === 'python';
  if (python) return analyzePython;
  const flavor = scriptFlavor(language ?? file);
  if (flavor) return (text, options) => analyzeTypeScript(text, options, flavor);
  throw new UsageError(
    language === undefined
      ? `cannot tell the language of ${file} from its extension; pass --language (${LANGUAGES})`
      : `measure reads ${LANGUAGES} sources, not ${language}`,
  );
}

export async function requestFromFile(location: string, request: FileRequest): Promise<MeasureRequest> {
  const { file, line, column } = parseLocation(location, request.site !== undefined);
  const analyze = analyzerFor(file, request.language);
  const text = request.readText ? request.readText() : readSource(file);
  // As `einsight check` does: torch's baseline depends on whether opt_einsum is installed.
  const project = new ProjectEnvironment(request.python);
  const options = await project.optionsFor(file, { dims: request.dims });
  options.observed = request.observed?.(file) ?? null;
  let analysis = await analyze(text, options);
  for (const { path, reason } of project.skipped) request.warn?.(`skipped '${printable(path)}': ${reason}`);
  for (const problem of project.problems) request.warn?.(problem);
  const find = (within: FileAnalysis) => (request.site !== undefined ? siteById(within, request.site) : siteAt(within, text, line as number, column));
  let site = find(analysis);
  // A site recorded at several shapes keeps the varying sizes symbolic: measure the most called one.
  const mostCalled = site.observed?.variants[0];
  if (mostCalled && site.symbolic && site.contraction) {
    analysis = await analyze(text, { ...options, dims: { ...dimsOfVariant(site.contraction, mostCalled), ...request.dims } });
    request.warn?.(`measuring the most called of the ${site.observed!.variants.length} recorded shapes (${mostCalled.calls} of ${site.observed!.calls} calls)`);
    site = find(analysis);
  }
  const start = positionOf(text, site.range.start);
  const problem = problemFromSite(analysis, site);
  return {
    problem,
    source: { file, line: start.line, column: start.column, site: site.id, chain: site.chain, baseline: libraryBaseline(analysis, site) },
    site: { file, analysis, text, site },
  };
}

/** The editor's baseline: the site's, or the sum of its chain's members when the chain is measured. */
function libraryBaseline(analysis: FileAnalysis, site: ContractionSite): MeasureSource['baseline'] {
  const chain = site.chain === null ? undefined : analysis.chains.find((c) => c.id === site.chain);
  if (chain?.fused) {
    return chain.baselineFlops === null ? null : { description: `the ${chain.members.length} calls as the library runs them`, flops: chain.baselineFlops };
  }
  return site.baseline ? { description: site.baseline.description, flops: site.baseline.flops } : null;
}

function parseLocation(location: string, bySite: boolean): { file: string; line?: number; column?: number } {
  if (bySite) return { file: location };
  const match = /^(.+?):(\d+)(?::(\d+))?$/.exec(location);
  if (!match) throw new UsageError(`expected FILE:LINE[:COL] (or FILE --site ID), got '${location}'`);
  const line = Number(match[2]);
  const column = match[3] === undefined ? undefined : Number(match[3]);
  if (line < 1 || column === 0) throw new UsageError(`lines and columns count from 1 (got '${location}')`);
  return { file: match[1], line, column };
}

function readSource(file: string): string {
  const bytes = readBytes(file);
  const text = 'error' in bytes ? bytes : decodeUtf8(bytes.ok);
  if ('error' in text) throw new MeasureError('invalid', `cannot read ${file}: ${text.error}`);
  return text.ok;
}

/** 1-based line and column (UTF-16 units) of an offset. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
