/**
 * Real-looking source files for the front-end fuzzers: the repository's fixtures and examples
 * as seeds, and the damage files suffer in editors and repositories — truncation, unbalanced
 * brackets and quotes, binary bytes, megabyte lines, nesting thousands deep, splices of other
 * files, moved and re-indented lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { scriptFlavor, type ScriptFlavor } from 'einsight-server/analysis/typescript/analyze';
import { REPO_ROOT } from '../support/oracle';
import { int, mutate, pick, type Random } from './generate';

export type Language = 'python' | 'typescript';

const EXTENSIONS: Record<Language, readonly string[]> = {
  python: ['.py'],
  typescript: ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'],
};

export interface Seed {
  name: string;
  text: string;
  /** How a TypeScript/JavaScript seed parses; null for Python. */
  flavor: ScriptFlavor | null;
}

const seedCache = new Map<Language, Seed[]>();

/** Every fixture and example of the language, read once. */
export function seeds(language: Language): Seed[] {
  let found = seedCache.get(language);
  if (!found) {
    found = [];
    for (const dir of ['test/fixtures', 'examples']) collect(join(REPO_ROOT, dir), EXTENSIONS[language], found);
    if (found.length === 0) throw new Error(`no ${language} seed files under test/fixtures or examples`);
    seedCache.set(language, found);
  }
  return found;
}

function collect(dir: string, extensions: readonly string[], out: Seed[]): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, extensions, out);
    else if (extensions.includes(extname(name)) && !name.endsWith('.d.ts')) out.push({ name: path.slice(REPO_ROOT.length + 1), text: readFileSync(path, 'utf8'), flavor: scriptFlavor(name) });
  }
}

/** Tokens that open or close something; one alone unbalances the file. */
const UNBALANCED: Record<Language, readonly string[]> = {
  python: ['(', ')', '[', ']', '{', '}', "'", '"', '"""', "'''", 'f"{', '\\', ':', '#', 'lambda', 'def f(', 'class C:', '    ', '\t', 'else:'],
  typescript: ['(', ')', '[', ']', '{', '}', "'", '"', '`', '${', '/*', '*/', '//', '/', '<div>', '</div>', '=>', '?', 'function (', 'class {', '@'],
};

/** Characters editors and encodings leave behind: controls, lone surrogates, separators, astral. */
const ODD_CHARACTERS = ['\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\r', '\r\n', '\u0085', '\u00a0', '\u2028', '\u2029', '\ufeff', '\ufffd', '\ud800', '\udfff', '😀', '𝔼', 'é', '\u200b', '\u202e'];

/**
 * One to three small mutations; about one file in six also gets one large one (nesting
 * thousands deep, or a megabyte line), so files stay near a megabyte at most.
 */
export function mutateSource(random: Random, text: string, language: Language): string {
  let out = text;
  const rounds = 1 + int(random, 3);
  for (let round = 0; round < rounds; round++) {
    const roll = random();
    if (roll < 0.15) out = truncate(random, out);
    else if (roll < 0.33) out = insertAt(random, out, pick(random, UNBALANCED[language]));
    else if (roll < 0.45) out = insertAt(random, out, binaryBytes(random));
    else if (roll < 0.63) out = spliceFrom(random, out, pick(random, seeds(language)).text);
    else if (roll < 0.81) out = moveLines(random, out);
    else if (roll < 0.94) out = mutate(random, out);
    else if (out.length < 100_000) out = out.repeat(2 + int(random, 4));
  }
  const large = random();
  if (large < 0.09) out = insertLine(random, out, deepNesting(random, language));
  else if (large < 0.16) out = insertLine(random, out, longLine(random, language));
  return out;
}

function truncate(random: Random, text: string): string {
  return text.slice(0, int(random, text.length + 1));
}

function insertAt(random: Random, text: string, insert: string): string {
  const at = int(random, text.length + 1);
  return text.slice(0, at) + insert + text.slice(at);
}

/** A line of its own, at the start of a random line. */
function insertLine(random: Random, text: string, line: string): string {
  const starts = lineStarts(text);
  const at = pick(random, starts);
  return `${text.slice(0, at)}${line}\n${text.slice(at)}`;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function binaryBytes(random: Random): string {
  const roll = random();
  const length = 1 + int(random, 40);
  if (roll < 0.5) return Array.from({ length }, () => String.fromCharCode(int(random, 256))).join('');
  if (roll < 0.8) return Array.from({ length: 1 + int(random, 4) }, () => pick(random, ODD_CHARACTERS)).join('');
  return Array.from({ length }, () => String.fromCharCode(int(random, 0x10000))).join('');
}

/** A stretch of another file, inserted anywhere. */
function spliceFrom(random: Random, text: string, other: string): string {
  const start = int(random, other.length + 1);
  const piece = other.slice(start, start + int(random, 400));
  return insertAt(random, text, piece);
}

/** Deletes, duplicates, swaps or re-indents a few lines. */
function moveLines(random: Random, text: string): string {
  const lines = text.split('\n');
  const from = int(random, lines.length);
  const count = 1 + int(random, 5);
  const roll = random();
  if (roll < 0.3) lines.splice(from, count);
  else if (roll < 0.55) lines.splice(from, 0, ...lines.slice(from, from + count));
  else if (roll < 0.8) {
    const to = int(random, lines.length);
    [lines[from], lines[to]] = [lines[to], lines[from]];
  } else {
    const indent = pick(random, ['    ', '\t', '  ', '        ']);
    for (let i = from; i < Math.min(lines.length, from + count); i++) lines[i] = random() < 0.5 ? indent + lines[i] : lines[i].replace(/^\s{1,4}/, '');
  }
  return lines.join('\n');
}

/** One line (or block) nested hundreds to thousands of levels deep, closed or left open. */
export function deepNesting(random: Random, language: Language): string {
  const depth = pick(random, [200, 500, 1000, 2000, 3000, 5000]);
  const closed = random() < 0.7;
  const shapes: [string, string, string][] =
    language === 'python'
      ? [
          ['x = ', '(', ')'],
          ['x = ', '[', ']'],
          ['x = ', '{1: ', '}'],
          ['x = ', 'f(', ')'],
          ['x = ', 'np.einsum("ij->ji", ', ')'],
          ['x = ', '-', ''],
          ['x = ', 'not ', ''],
          ['x = ', 'lambda: ', ''],
          ['x = ', 'a if b else (', ')'],
        ]
      : [
          ['const x = ', '(', ')'],
          ['const x = ', '[', ']'],
          ['const x = ', '{a: ', '}'],
          ['const x = ', 'f(', ')'],
          ['const x = ', "tf.einsum('ij->ji', ", ')'],
          ['', '{', '}'],
          ['const x = ', '() => ', ''],
          ['const x = ', 'a ? b : (', ')'],
          ['const x = ', '`${', '}`'],
          ['const x = ', '-', ''],
          ['const x = ', '<a>', '</a>'],
        ];
  const [lead, open, close] = pick(random, shapes);
  if (language === 'python' && random() < 0.15) return pythonBlocks(Math.min(depth, 1000));
  if (language === 'python' && random() < 0.15) return `x = ${Array.from({ length: depth }, () => 'a').join(pick(random, [' + ', ' @ ', ' * ', ', ', ' and ']))}`;
  if (language === 'typescript' && random() < 0.15) return `const x = ${Array.from({ length: depth }, () => 'a').join(pick(random, [' + ', ', ', ' && ', '.mul(a).add(b)']))};`;
  return `${lead}${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}`;
}

/** `if x:` blocks, each indented one level more than the last. */
function pythonBlocks(depth: number): string {
  const lines: string[] = [];
  for (let i = 0; i < depth; i++) lines.push(`${' '.repeat(i)}if x:`);
  lines.push(`${' '.repeat(depth)}pass`);
  return lines.join('\n');
}

const MEGABYTE = 1 << 20;

/** A single line of about a megabyte: a name, a string, a comment, an expression or noise. */
export function longLine(random: Random, language: Language): string {
  const comment = language === 'python' ? '# ' : '// ';
  const assign = language === 'python' ? 'x = ' : 'const x = ';
  const forms = [
    () => assign + 'a'.repeat(MEGABYTE),
    () => `${assign}"${'ab c'.repeat(MEGABYTE / 4)}"`,
    () => comment + 'einsight: '.repeat(MEGABYTE / 10),
    () => comment + 'z'.repeat(MEGABYTE),
    () => assign + '[' + '1, '.repeat(MEGABYTE / 3) + ']',
    () => assign + 'a' + '.b'.repeat(MEGABYTE / 2),
    () => assign + Array.from({ length: MEGABYTE / 4 }, () => '1').join(' + '),
    () => (language === 'python' ? `x = np.einsum("${'a'.repeat(MEGABYTE)}->", y)` : `const x = tf.einsum('${'a'.repeat(MEGABYTE)}->', y);`),
    () => Array.from({ length: MEGABYTE }, () => String.fromCharCode(32 + int(random, 95))).join(''),
  ];
  return pick(random, forms)();
}
