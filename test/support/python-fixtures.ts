/**
 * Python fixtures with pyright-style markers (`/*name*\/` positions, `[|/*name*\/…|]` ranges),
 * read as offsets into the marker-free text that the analysis sees.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AnalysisOptions, ContractionSite, FileAnalysis, SourceRange } from 'einsight-server/analysis/model';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { parseFixture } from './markers';

export const PYTHON_FIXTURES = path.resolve(__dirname, '../../fixtures/python');

/** The text of every `.py` file under `dir`, in its folders too. */
export function pythonSourcesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...pythonSourcesUnder(file));
    else if (entry.name.endsWith('.py')) found.push(readFileSync(file, 'utf8'));
  }
  return found;
}

export interface PythonFixture {
  text: string;
  offset(name: string): number;
  range(name: string): SourceRange;
  /** Every named range, in order. */
  names: string[];
}

export function parsePythonFixture(source: string): PythonFixture {
  const fixture = parseFixture(source);
  const lineStarts = [0];
  for (let i = 0; i < fixture.text.length; i++) if (fixture.text[i] === '\n') lineStarts.push(i + 1);
  const toOffset = (p: { line: number; character: number }) => lineStarts[p.line] + p.character;
  return {
    text: fixture.text,
    offset: (name) => toOffset(fixture.position(name)),
    range: (name) => {
      const r = fixture.range(name);
      return { start: toOffset(r.start), end: toOffset(r.end) };
    },
    names: fixture.ranges.filter((r) => r.name !== null).map((r) => r.name!),
  };
}

export function loadPythonFixture(name: string): PythonFixture {
  return parsePythonFixture(readFileSync(path.join(PYTHON_FIXTURES, name), 'utf8'));
}

export async function analyzeFixture(name: string, options: AnalysisOptions = {}): Promise<{ fixture: PythonFixture; analysis: FileAnalysis }> {
  const fixture = loadPythonFixture(name);
  return { fixture, analysis: await analyzePython(fixture.text, options) };
}

/** The site whose call (or chain) spans exactly the named range. */
export function siteAt(analysis: FileAnalysis, fixture: PythonFixture, name: string): ContractionSite {
  const range = fixture.range(name);
  const site = analysis.sites.find((s) => s.range.start === range.start && s.range.end === range.end);
  if (!site) {
    const spans = analysis.sites.map((s) => JSON.stringify(fixture.text.slice(s.range.start, s.range.end))).join(', ');
    throw new Error(`no site spans [|/*${name}*/${fixture.text.slice(range.start, range.end)}|]; sites: ${spans}`);
  }
  return site;
}

export function textAt(fixture: PythonFixture, range: SourceRange): string {
  return fixture.text.slice(range.start, range.end);
}
