/**
 * Fuzz targets for hostile and huge inputs (issue #17):
 * - framing: LSP byte streams, valid and damaged, cut into random chunks, through the strict
 *   reader. A failure: a thrown exception, a message delivered that was not sent (or out of
 *   order), a valid stream not delivered whole, a fault reported twice or followed by a
 *   message, or a different outcome for the same bytes cut differently.
 * - edits: one didChange of 17–80 random changes (CR, LF, CRLF, astral characters, clamped,
 *   reversed and whole-text changes). A failure: a text other than applying them one by one,
 *   or an edit that does not turn the old text into the new.
 * - project: a project whose dependency and ignore files are FIFOs, links to /dev/zero or
 *   /dev/null, link loops, folders, or over 1 MiB, through `einsight check` in a child
 *   process. A failure: a hang (30 s), exit 2, an internal error, output that is not JSON, or
 *   a troubled file not named as skipped.
 * - huge: generated files of 2,000–24,000 sites (shared names, one name reassigned, chains)
 *   or over the 8 MiB limit, Python or TypeScript. A failure: a site count other than the one
 *   generated (unless the file says it was not fully analysed), a missing reason, or a range
 *   outside the text.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { MAX_SOURCE_LENGTH } from 'einsight-server/analysis/source-size';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { StrictMessageReader } from 'einsight-server/service/message-framing';
import { applyContentChanges, splitLines } from 'einsight-server/workspace/content-changes';
import { applyOneByOne } from '../support/content-changes';
import { REPO_ROOT } from '../support/oracle';
import type { Failure } from './core';
import { int, pick, type Random } from './generate';

// ---------------------------------------------------------------- framing

interface Delivery {
  messages: string[];
  faults: number;
  dropped: number;
}

function deliver(bytes: Buffer, cuts: number[]): Delivery {
  const stream = new PassThrough();
  const result: Delivery = { messages: [], faults: 0, dropped: 0 };
  const reader = new StrictMessageReader(stream, { framingLost: () => result.faults++, messageDropped: () => result.dropped++ });
  reader.onError(() => undefined);
  reader.listen((message) => {
    if (result.faults > 0) result.faults += 100; // a message after a fault
    result.messages.push(JSON.stringify(message));
  });
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > at) stream.emit('data', bytes.subarray(at, cut));
    at = Math.max(at, cut);
  }
  return result;
}

const TEXTS = ['x', 'é', '😀', '\\n', 'Content-Length: 3', '\r\n\r\n', '"', '}'];

function randomMessage(random: Random, id: number): string {
  const text = Array.from({ length: int(random, 40) }, () => pick(random, TEXTS)).join('');
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'textDocument/hover', params: { text } });
}

function frame(random: Random, body: string): string {
  const length = Buffer.byteLength(body);
  const headers = [`Content-Length: ${length}`];
  if (random() < 0.3) headers.push(pick(random, ['Content-Type: application/vscode-jsonrpc; charset=utf-8', 'content-type: application/json; charset=utf8', 'X-Extra: 1']));
  if (random() < 0.3) headers.reverse();
  if (random() < 0.1) headers[0] = headers[0].toLowerCase();
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

const DAMAGE: ((framed: string, body: string) => string)[] = [
  (framed) => framed.replace(/\r\n/g, '\n'),
  (framed, body) => framed.replace(/Content-Length: \d+/i, 'X-Length: 3').replace(body, body),
  (framed) => framed.replace(/Content-Length: (\d+)/i, 'Content-Length: $1abc'),
  (framed) => framed.replace(/Content-Length: (\d+)/i, 'Content-Length: -$1'),
  (framed) => framed.replace(/Content-Length: (\d+)/i, 'Content-Length $1'),
  (framed) => framed.replace(/Content-Length: (\d+)/i, 'Content-Length: 99999999999'),
  (framed) => `GET / HTTP/1.1\r\n${framed}`,
  (_framed, body) => `Content-Length: ${Buffer.byteLength(body)}\r\nContent-Type: text/plain; charset=latin1\r\n\r\n${body}`,
];

export function fuzzFramingOnce(random: Random): Failure | null {
  const count = 1 + int(random, 6);
  const bodies = Array.from({ length: count }, (_, i) => randomMessage(random, i));
  const notJson = random() < 0.2 ? int(random, count) : -1;
  // The body that is not JSON is framed correctly: damage goes to another message.
  const damagedAt = random() < 0.5 ? int(random, count) : -1;
  const damaged = damagedAt === notJson ? -1 : damagedAt;
  const parts = bodies.map((body, i) => {
    if (i === notJson) return frame(random, '{not json');
    const framed = frame(random, body);
    return i === damaged ? pick(random, DAMAGE)(framed, body) : framed;
  });
  const bytes = Buffer.from(parts.join(''), 'utf8');
  const cuts = Array.from({ length: int(random, 8) }, () => int(random, bytes.length + 1)).sort((a, b) => a - b);
  const input = { stream: bytes.toString('utf8').slice(0, 1500), cuts, damaged, notJson };
  const fail = (problem: string): Failure => ({ target: 'framing', input, problem });
  let whole: Delivery;
  let chunked: Delivery;
  try {
    whole = deliver(bytes, []);
    chunked = deliver(bytes, cuts);
  } catch (error) {
    return fail(`the reader threw: ${(error as Error).stack}`);
  }
  if (JSON.stringify(whole) !== JSON.stringify(chunked)) return fail(`cut into chunks the outcome differs: ${JSON.stringify(whole)} vs ${JSON.stringify(chunked)}`);
  if (whole.faults > 1) return fail(`${whole.faults} faults (or messages after a fault)`);
  const sent = bodies.map((b) => JSON.stringify(JSON.parse(b)));
  const expected = sent.filter((_, i) => i !== notJson);
  if (damaged < 0) {
    if (whole.faults !== 0) return fail('a fault reported in a valid stream');
    if (JSON.stringify(whole.messages) !== JSON.stringify(expected)) return fail(`delivered ${JSON.stringify(whole.messages)}`);
    if (whole.dropped !== (notJson >= 0 ? 1 : 0)) return fail(`${whole.dropped} messages dropped`);
  } else {
    // Whatever arrived is what was sent, in order, and nothing from the damaged message on.
    const before = sent.slice(0, damaged).filter((_, i) => i !== notJson);
    if (whole.messages.some((m, i) => m !== before[i]) || whole.messages.length > before.length) return fail(`delivered ${JSON.stringify(whole.messages)} from a stream damaged at message ${damaged}`);
  }
  return null;
}

// ---------------------------------------------------------------- edits

const PIECES = ['a', 'bc', ' ', '\n', '\r\n', '\r', 'é', '😀', 'x\ny', '\r\r\n\n', '', 'np.einsum'];

export function fuzzEditsOnce(random: Random): Failure | null {
  const text = Array.from({ length: int(random, 40) }, () => pick(random, PIECES)).join('');
  const lines = splitLines(text).length;
  const piece = () => Array.from({ length: int(random, 4) }, () => pick(random, PIECES)).join('');
  const position = () => ({ line: int(random, lines + 3) - 1, character: int(random, 14) - 1 });
  const changes: TextDocumentContentChangeEvent[] = Array.from({ length: 17 + int(random, 64) }, () =>
    random() < 0.02 ? { text: piece() } : { range: { start: position(), end: position() }, text: piece() },
  );
  const input = { text, changes };
  const expected = applyOneByOne(text, changes);
  try {
    const { document, edits } = applyContentChanges(TextDocument.create('file:///f', 'python', 1, text), changes, 2);
    if (document.getText() !== expected) return { target: 'edits', input, problem: `text ${JSON.stringify(document.getText())}, expected ${JSON.stringify(expected)}` };
    let replayed = text;
    for (const edit of edits) replayed = replayed.slice(0, edit.start) + edit.text + replayed.slice(edit.end);
    if (replayed !== expected) return { target: 'edits', input, problem: 'the edits do not turn the old text into the new' };
  } catch (error) {
    return { target: 'edits', input, problem: `threw: ${(error as Error).stack}` };
  }
  return null;
}

// ---------------------------------------------------------------- project files

let projectRoot: string | null = null;
let projects = 0;

const PROJECT_FILES = ['requirements.txt', 'requirements-dev.txt', 'pyproject.toml', 'setup.cfg', 'setup.py', 'environment.yml', 'Pipfile', '.gitignore'];
const COSTLY = 'import torch\nr = torch.einsum("ij,jk,kl->il", torch.ones(100, 100), torch.ones(100, 100), torch.ones(100, 2))\n';

/** A well-formed file of each kind, listing numpy. */
const PLAIN = new Map([
  ['pyproject.toml', '[project]\nname = "p"\ndependencies = ["numpy"]\n'],
  ['Pipfile', '[packages]\nnumpy = "*"\n'],
  ['setup.cfg', '[options]\ninstall_requires = numpy\n'],
  ['setup.py', 'from setuptools import setup\nsetup(install_requires=["numpy"])\n'],
  ['environment.yml', 'dependencies:\n  - numpy\n'],
]);

type Trouble = 'fifo' | 'zero' | 'null' | 'loop' | 'folder' | 'huge' | 'plain';

function makeTrouble(path: string, trouble: Trouble): void {
  switch (trouble) {
    case 'fifo':
      execFileSync('mkfifo', [path]);
      break;
    case 'zero':
      symlinkSync('/dev/zero', path);
      break;
    case 'null':
      symlinkSync('/dev/null', path);
      break;
    case 'loop':
      symlinkSync(path, path);
      break;
    case 'folder':
      mkdirSync(path);
      break;
    case 'huge':
      writeFileSync(path, `# ${'x'.repeat(1024 * 1024)}\nopt_einsum\n`);
      break;
    case 'plain':
      writeFileSync(path, PLAIN.get(basename(path)) ?? 'numpy\n');
  }
}

export function fuzzProjectOnce(random: Random): Failure | null {
  if (projectRoot === null) {
    const made = mkdtempSync(join(tmpdir(), 'einsight-fuzz-project-'));
    process.on('exit', () => rmSync(made, { recursive: true, force: true }));
    projectRoot = made;
  }
  const dir = join(projectRoot, `p${projects++}`);
  mkdirSync(join(dir, '.git'), { recursive: true });
  mkdirSync(join(dir, 'pkg'));
  writeFileSync(join(dir, 'pkg', 'model.py'), COSTLY);
  const troubles: { path: string; trouble: Trouble }[] = [];
  for (const name of PROJECT_FILES) {
    if (random() < 0.5) continue;
    const trouble = pick(random, ['fifo', 'zero', 'null', 'loop', 'folder', 'huge', 'plain'] as const);
    const path = join(random() < 0.5 ? dir : join(dir, 'pkg'), name);
    makeTrouble(path, trouble);
    troubles.push({ path, trouble });
  }
  const input = { troubles };
  const fail = (problem: string): Failure => ({ target: 'project', input, problem });
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'server', 'bin', 'einsight.js'), 'check', dir, '--format', 'json', '--python', 'none'], { encoding: 'utf8', timeout: 30_000 });
  rmSync(dir, { recursive: true, force: true });
  if (result.error || result.signal) return fail(`check did not finish: ${result.error?.message ?? result.signal}`);
  if (result.status === 2) return fail(`exit 2: ${result.stderr.slice(0, 500)}`);
  if (/internal error/.test(result.stderr)) return fail(result.stderr.slice(0, 1500));
  try {
    JSON.parse(result.stdout);
  } catch {
    return fail(`no JSON: ${result.stdout.slice(0, 200)}`);
  }
  // Each troubled file read is named once, as skipped (which are read depends on where the
  // nearest dependency files are); a plain file never is.
  for (const { path, trouble } of troubles) {
    const mentions = result.stderr.split(`'${path}'`).length - 1;
    if (mentions > 1) return fail(`${path} named ${mentions} times:\n${result.stderr}`);
    if (mentions === 1 && !result.stderr.includes(`skipped '${path}'`)) return fail(`${path} named, but not as skipped:\n${result.stderr}`);
    if (mentions === 1 && trouble === 'plain') return fail(`${path} (a plain file) skipped:\n${result.stderr}`);
  }
  return null;
}

// ---------------------------------------------------------------- huge files

export async function fuzzHugeOnce(random: Random): Promise<Failure | null> {
  const python = random() < 0.5;
  const shape = pick(random, ['shared', 'reassigned', 'chain', 'over-limit'] as const);
  const n = 2000 + int(random, 22_000);
  let text: string;
  let sites = n;
  if (shape === 'over-limit') {
    text = `${python ? '#' : '//'} ${'x'.repeat(MAX_SOURCE_LENGTH + int(random, 1000))}\n`;
    sites = 0;
  } else if (python) {
    const head = 'import numpy as np\na = np.ones((8, 8))\nb = np.ones((8, 8))\nx = a\n';
    const line = shape === 'shared' ? (i: number) => `y${i} = np.einsum('ij,jk->ik', a, b)\n` : shape === 'reassigned' ? () => `x = np.einsum('ij,jk->ik', x, b)\n` : (i: number) => (i % 2 === 0 ? `t${i} = np.einsum('ij,jk->ik', a, b)\n` : `y${i} = np.einsum('ij,jk->ik', t${i - 1}, b) * 2\n`);
    text = head + Array.from({ length: n }, (_, i) => line(i)).join('');
  } else {
    const head = "import * as tf from '@tensorflow/tfjs';\nconst a = tf.ones([8, 8]);\nconst b = tf.ones([8, 8]);\nlet x = a;\n";
    const line = shape === 'shared' ? (i: number) => `export const y${i} = tf.einsum('ij,jk->ik', a, b);\n` : shape === 'reassigned' ? () => `x = tf.einsum('ij,jk->ik', x, b);\n` : (i: number) => (i % 2 === 0 ? `const t${i} = tf.einsum('ij,jk->ik', a, b);\n` : `export const y${i} = tf.mul(tf.einsum('ij,jk->ik', t${i - 1}, b), 2);\n`);
    text = head + Array.from({ length: n }, (_, i) => line(i)).join('');
  }
  const input = { python, shape, n, length: text.length };
  const fail = (problem: string): Failure => ({ target: 'huge', input, problem });
  try {
    const analysis = python ? await analyzePython(text) : analyzeTypeScript(text);
    const skipped = analysis.notAnalysed ?? analysis.incomplete;
    if (skipped) {
      if (!/^not (fully )?analysed: /.test(skipped.reason)) return fail(`a reason that says nothing: ${skipped.reason}`);
      if (skipped.range.start < 0 || skipped.range.end > text.length) return fail('the reason points outside the text');
      if (shape === 'over-limit' ? !analysis.notAnalysed : analysis.sites.length > sites) return fail(`${analysis.sites.length} sites, ${skipped.reason}`);
    } else if (analysis.sites.length !== sites) {
      return fail(`${analysis.sites.length} sites, expected ${sites}`);
    }
    if (analysis.sites.some((s) => s.range.start < 0 || s.range.end > text.length)) return fail('a site outside the text');
  } catch (error) {
    return fail(`threw: ${(error as Error).stack}`);
  }
  return null;
}
