/**
 * Fuzz target: `einsight check` and `einsight fix --write` on a folder of mutated files, with
 * the trouble trees hold — undecodable bytes, FIFOs, dangling links, link loops, broken
 * notebooks. A failure is an internal error, exit 2 (no usage error is made), a problem message
 * that names no path, output that is not the requested JSON, a rewritten file that does not
 * parse or whose original did not, or a temporary file left behind.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TypeScriptParser, type ScriptFlavor } from 'einsight-server/analysis/typescript/parser';
import { main } from 'einsight-server/cli/main';
import { prepareRewrites, syntaxErrors } from 'einsight-server/rewrite/python-parsers';
import type { Failure } from './core';
import { int, pick, type Random } from './generate';
import { placeKnownSite } from './front-ends';
import { mutateSource, seeds, type Language } from './sources';

let root: string | null = null;
let counter = 0;

function tree(): string {
  if (root === null) {
    root = mkdtempSync(join(tmpdir(), 'einsight-fuzz-cli-'));
    const made = root;
    process.on('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return join(root, `t${counter++}`);
}

interface Written {
  path: string;
  kind: 'python' | ScriptFlavor;
  original: Buffer;
}

export async function fuzzCliOnce(random: Random): Promise<Failure | null> {
  await prepareRewrites();
  const dir = tree();
  mkdirSync(join(dir, 'sub'), { recursive: true });
  const written: Written[] = [];
  const files = 1 + int(random, 5);
  for (let i = 0; i < files; i++) {
    const language: Language = random() < 0.5 ? 'python' : 'typescript';
    const seed = pick(random, seeds(language));
    const text = placeKnownSite(random, random() < 0.7 ? mutateSource(random, seed.text, language) : seed.text, language).text;
    const flavor = seed.flavor ?? 'ts';
    const name = language === 'python' ? `f${i}.py` : `f${i}.${flavor}`;
    const path = join(dir, random() < 0.3 ? 'sub' : '', name);
    const bytes = random() < 0.1 ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
    writeFileSync(path, bytes);
    written.push({ path, kind: language === 'python' ? 'python' : flavor, original: bytes });
  }
  addTrouble(random, dir);
  const input = { dir, files: written.map((w) => ({ path: w.path, text: w.original.toString('utf8').slice(0, 300) })) };
  const fail = (problem: string): Failure => ({ target: 'cli', input, problem });

  const check = await run(['check', dir, '--format', 'json']);
  const checkProblem = commonProblems('check', check, dir);
  if (checkProblem) return fail(checkProblem);
  try {
    JSON.parse(check.stdout);
  } catch {
    return fail(`check --format json printed no JSON: ${check.stdout.slice(0, 200)}`);
  }

  const fix = await run(['fix', '--write', dir]);
  const fixProblem = commonProblems('fix', fix, dir);
  if (fixProblem) return fail(fixProblem);
  for (const file of written) {
    const now = readFileSync(file.path);
    if (now.equals(file.original)) continue;
    if (!parses(file.original.toString('utf8'), file.kind)) return fail(`fix --write changed ${file.path}, which did not parse`);
    if (!parses(now.toString('utf8'), file.kind)) return fail(`fix --write left ${file.path} not parsing`);
  }
  const leftovers = listAll(dir).filter((name) => name.includes('.einsight-') && name.endsWith('.tmp'));
  if (leftovers.length > 0) return fail(`fix --write left temporary files: ${leftovers.join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
  return null;
}

/** Files einsight must report and step over: bad bytes, a FIFO, links to nowhere and in circles, a broken notebook. */
function addTrouble(random: Random, dir: string): void {
  if (random() < 0.3) writeFileSync(join(dir, 'bytes.py'), Buffer.from([0x78, 0x20, 0x3d, 0x20, 0xff, 0xfe, 0x0a, 0xc3]));
  if (random() < 0.2) execFileSync('mkfifo', [join(dir, 'pipe.py')]);
  if (random() < 0.2) symlinkSync(join(dir, 'nowhere.py'), join(dir, 'dangling.py'));
  if (random() < 0.2) {
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
  }
  if (random() < 0.2) symlinkSync(dir, join(dir, 'sub', 'up'));
  if (random() < 0.3) {
    const cells = [pick(random, seeds('python')).text, mutateSource(random, pick(random, seeds('python')).text, 'python')];
    const notebook = JSON.stringify({ cells: cells.map((source) => ({ cell_type: 'code', source, metadata: {}, outputs: [] })), metadata: {}, nbformat: 4, nbformat_minor: 5 });
    writeFileSync(join(dir, 'nb.ipynb'), random() < 0.3 ? notebook.slice(0, int(random, notebook.length)) : notebook);
  }
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t.endsWith('\n') ? t : `${t}\n`),
    stderr: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`),
    readStdin: () => '',
  });
  return { code, stdout, stderr };
}

function commonProblems(command: string, result: { code: number; stderr: string }, dir: string): string | null {
  if (result.code === 2) return `${command} exited 2 without a usage error: ${result.stderr.slice(0, 500)}`;
  if (/internal error/.test(result.stderr)) return `${command}: ${result.stderr.slice(0, 1500)}`;
  for (const line of result.stderr.split('\n').filter(Boolean)) {
    if (line.startsWith('einsight fix: fixes for')) continue;
    if (!line.includes(dir)) return `${command}: a problem that names no path: ${line}`;
  }
  return null;
}

function parses(text: string, kind: 'python' | ScriptFlavor): boolean {
  const analysed = text.startsWith('\uFEFF') ? ` ${text.slice(1)}` : text;
  try {
    return kind === 'python' ? syntaxErrors(analysed).length === 0 : new TypeScriptParser(kind).parse(analysed).syntaxErrors.length === 0;
  } catch {
    return false;
  }
}

function listAll(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}
