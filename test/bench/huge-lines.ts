/**
 * `npm run bench:huge-lines`: one long line of each shape `npm run fuzz` inserts (a list of
 * numbers, a sum, a member chain, a string, an einsum equation, noise), at 256 KiB and 1 MiB,
 * analysed by einsight beside the parser alone (tree-sitter for Python, the TypeScript
 * compiler's `createSourceFile`), in one run. Processor time (least of three, each run on a
 * text of its own so no cache answers), so that other work on the machine counts less.
 * Prints numbers; asserts nothing (huge-lines.test.ts bounds the ratio).
 */
import ts from 'typescript';
import treeSitter = require('web-tree-sitter');
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';

type Language = 'python' | 'typescript';

const SHAPES: Record<string, (size: number, language: Language) => string> = {
  'list of numbers': (size) => `[${'1, '.repeat(size / 3)}1]`,
  sum: (size) => Array.from({ length: size / 4 }, () => '1').join(' + '),
  'member chain': (size) => `a${'.b'.repeat(size / 2)}`,
  string: (size) => `"${'ab c'.repeat(size / 4)}"`,
  'einsum equation': (size, language) => `${language === 'python' ? 'np' : 'tf'}.einsum("${'a'.repeat(size)}->", y)`,
  noise: (size) => Array.from({ length: size }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 95))).join(''),
};

const HEADS: Record<Language, string> = {
  python: 'import numpy as np\ny = np.ones((2, 2))\n',
  typescript: "import * as tf from '@tensorflow/tfjs';\nconst y = tf.ones([2, 2]);\n",
};

/** The line of `run` differs from every other run's (`x0 = …`, `x1 = …`): no cache of unchanged statements answers. */
function text(language: Language, shape: string, size: number, run: number): string {
  const line = SHAPES[shape](size, language);
  const body = shape === 'noise' ? `${run}${line}` : `${language === 'python' ? '' : 'const '}x${run + 1} = ${line}`;
  return `${HEADS[language]}${body}\n`;
}

async function leastCpuMs(run: (index: number) => unknown): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    const before = process.cpuUsage();
    await run(i);
    const used = process.cpuUsage(before);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

async function main(): Promise<void> {
  await treeSitter.Parser.init();
  const parser = new treeSitter.Parser();
  parser.setLanguage(await treeSitter.Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
  // Warm, as a running server is: the grammar loaded and the code compiled.
  for (const shape of Object.keys(SHAPES)) {
    await analyzePython(text('python', shape, 1 << 16, -1));
    analyzeTypeScript(text('typescript', shape, 1 << 16, -1), {}, 'ts');
  }
  const parse: Record<Language, (source: string) => unknown> = {
    python: (source) => parser.parse(source)?.delete(),
    typescript: (source) => ts.createSourceFile('/x.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS),
  };
  const analyze: Record<Language, (source: string) => unknown> = {
    python: (source) => analyzePython(source),
    typescript: (source) => analyzeTypeScript(source, {}, 'ts'),
  };
  console.log('| language | line | size | parser alone | einsight | ratio |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const language of ['python', 'typescript'] as const) {
    for (const shape of Object.keys(SHAPES)) {
      for (const size of [1 << 18, 1 << 20]) {
        const parsed = await leastCpuMs((i) => parse[language](text(language, shape, size, i)));
        const analysed = await leastCpuMs((i) => analyze[language](text(language, shape, size, i)));
        const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;
        console.log(`| ${language} | ${shape} | ${size / 1024} KiB | ${ms(parsed)} | ${ms(analysed)} | ${(analysed / Math.max(parsed, 1)).toFixed(1)}× |`);
      }
    }
  }
  parser.delete();
}

void main();
