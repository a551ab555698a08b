/**
 * The TypeScript front end in tests: fixtures with pyright-style markers read as offsets, and
 * snippets executed with @tensorflow/tfjs (its pure-JavaScript CPU backend). A snippet is a
 * module exporting `run()`; it is transpiled to CommonJS and run with `Math.random` seeded, so
 * unseeded `tf.randomNormal` inputs are the same in every run as long as the same random calls
 * happen in the same order, which one more draw after the run checks.
 */
import { readFileSync } from 'node:fs';
import { seededRandom } from 'einsight-server/core/random';
import path from 'node:path';
import ts from 'typescript';
import type { AnalysisOptions, ContractionSite, FileAnalysis } from 'einsight-server/analysis/model';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { parsePythonFixture, type PythonFixture } from './python-fixtures';

export const TYPESCRIPT_FIXTURES = path.resolve(__dirname, '../../fixtures/typescript');

/** Offsets and named ranges of a marked fixture: the same for TypeScript as for Python. */
export type TsFixture = PythonFixture;
export const parseTsFixture = parsePythonFixture;

export function analyzeTsFixture(name: string, options: AnalysisOptions = {}): { fixture: TsFixture; analysis: FileAnalysis } {
  const fixture = parseTsFixture(readFileSync(path.join(TYPESCRIPT_FIXTURES, name), 'utf8'));
  return { fixture, analysis: analyzeTypeScript(fixture.text, options) };
}

/** The site whose call (or chain) spans exactly the named range. */
export function siteAt(analysis: FileAnalysis, fixture: TsFixture, name: string): ContractionSite {
  const range = fixture.range(name);
  const site = analysis.sites.find((s) => s.range.start === range.start && s.range.end === range.end);
  if (!site) {
    const spans = analysis.sites.map((s) => JSON.stringify(fixture.text.slice(s.range.start, s.range.end))).join(', ');
    throw new Error(`no site spans '${fixture.text.slice(range.start, range.end)}'; sites: ${spans}`);
  }
  return site;
}

// ---------------------------------------------------------------------------------------------
// Execution with tfjs

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Tf = any;

let tfPromise: Promise<Tf> | null = null;

/** @tensorflow/tfjs on its CPU backend, loaded once without its console banner. */
export function loadTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    const quiet = silenceConsole();
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const tf = require('@tensorflow/tfjs');
      await tf.setBackend('cpu');
      tf.ones([1]).dataSync();
      return tf;
    } finally {
      quiet();
    }
  })();
  return tfPromise;
}

function silenceConsole(): () => void {
  const { log, warn, info } = console;
  console.log = console.warn = console.info = () => undefined;
  return () => Object.assign(console, { log, warn, info });
}

export interface RunResult {
  /** The value `run()` returned, as nested arrays and numbers. */
  value: unknown;
  /** `Math.random()` once more after the run: the same only when the same random calls ran. */
  nextDraw: number;
}

/**
 * Transpiles `source` (TypeScript or JavaScript, ES modules or CommonJS) and runs its `run()`.
 * `modules` supplies what `require`/`import` load (JSX loads `react/jsx-runtime`); `fileName`
 * says which language the source is.
 */
export function runSnippet(source: string, modules: Record<string, unknown>, fileName = 'snippet.ts', seed = 7): RunResult {
  const code = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, allowJs: true, jsx: ts.JsxEmit.ReactJSX },
    // `.mjs`/`.cts` would keep their module format: the language is all the name should say here.
    fileName: fileName.replace(/\.[cm]([jt]s)$/, '.$1'),
  }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  const load = (name: string) => {
    if (!Object.hasOwn(modules, name)) throw new Error(`the snippet loads '${name}', which the test does not supply`);
    return modules[name];
  };
  new Function('require', 'module', 'exports', code)(load, module, module.exports);
  const run = module.exports.run;
  if (typeof run !== 'function') throw new Error('the snippet exports no run()');
  const random = Math.random;
  Math.random = seededRandom(seed);
  try {
    const value = toPlain(run());
    return { value, nextDraw: Math.random() };
  } finally {
    Math.random = random;
  }
}

function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object' && 'arraySync' in value && typeof value.arraySync === 'function') return value.arraySync();
  return value;
}

/** Largest |a - b| / (1 + |b|) over two results of the same structure; Infinity when they differ in shape. */
export function maxRelativeDifference(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) / (1 + Math.abs(b));
  if (typeof a === 'string' || typeof b === 'string') return a === b ? 0 : Infinity;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.reduce((max: number, x, i) => Math.max(max, maxRelativeDifference(x, b[i])), 0);
  return Infinity;
}

/**
 * tfjs with an `einsum` that runs what the equation means whatever tfjs's limits (numpy's
 * semantics: any number of operands, repeated labels, `...`, implicit output), by summing
 * over every index: the reference for code that real tfjs refuses to run.
 */
export function referenceTf(tf: Tf): Tf {
  return new Proxy(tf, { get: (target, key) => (key === 'einsum' ? (eq: string, ...xs: unknown[]) => naiveEinsum(tf, eq, xs) : target[key]) });
}

export function naiveEinsum(tf: Tf, equation: string, tensors: unknown[]): unknown {
  const shapes: number[][] = tensors.map((t) => (t as { shape: number[] }).shape);
  const c = bindShapes(parseEquation(equation), shapes);
  const data: Float32Array[] = tensors.map((t) => (t as { dataSync(): Float32Array }).dataSync());
  const sizes = c.sizes.map((s) => s.value);
  const stridesOf = (labels: number[]) => {
    const strides = new Array<number>(sizes.length).fill(0);
    let stride = 1;
    for (let i = labels.length - 1; i >= 0; i--) {
      strides[labels[i]] += stride;
      stride *= sizes[labels[i]];
    }
    return strides;
  };
  const inputStrides = c.inputs.map(stridesOf);
  const outputStrides = stridesOf(c.output);
  const outShape = c.output.map((l) => sizes[l]);
  const out = new Float32Array(outShape.reduce((a, b) => a * b, 1));
  const index = new Array<number>(sizes.length).fill(0);
  const total = sizes.reduce((a, b) => a * b, 1);
  for (let step = 0; step < total; step++) {
    let product = 1;
    for (let k = 0; k < data.length; k++) {
      let offset = 0;
      for (let l = 0; l < sizes.length; l++) offset += inputStrides[k][l] * index[l];
      product *= data[k][offset];
    }
    let at = 0;
    for (let l = 0; l < sizes.length; l++) at += outputStrides[l] * index[l];
    out[at] += product;
    for (let l = sizes.length - 1; l >= 0; l--) {
      if (++index[l] < sizes[l]) break;
      index[l] = 0;
    }
  }
  return tf.tensor(out, outShape);
}
