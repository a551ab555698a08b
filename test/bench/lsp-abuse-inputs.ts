/**
 * Inputs for abusing the language server, shared by `test/unit/lsp-abuse*.test.ts` and
 * `npm run bench:lsp-abuse`: a seeded storm of typing-like incremental edits, large generated
 * Python and TypeScript files, a syntax check of Python text, and the server's memory as
 * Linux reports it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Diagnostic, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { PythonParser } from 'einsight-server/analysis/python/parser';

/** Deterministic 32-bit generator (mulberry32): the same seed gives the same storm. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What gets typed: whole lines mostly, and stray brackets, quotes, CRLF and non-ASCII between them. */
const TYPED = [
  "e = np.einsum('ij,jk,kl->il', a, b, c)\n",
  "g = np.einsum('ij,jk->ik', a, b)\n",
  "u = torch.einsum('bn,nm->bm', x, w1)\n",
  '# einsight: x[B, N] w1[N, N] w2[N, 1]\n',
  'def g(x, w):\n',
  '    return x\n',
  'a = np.random.rand(8, 64)\r\n',
  "s = 'é😀'\n",
  '(',
  "'",
];

export interface StormStep {
  version: number;
  changes: TextDocumentContentChangeEvent[];
}

/**
 * `count` didChange notifications, as an editor sends them while someone types: keys at the
 * cursor (most), backspaces, jumps to another line, pastes, deleted selections, and a
 * multi-cursor "comment out" (two changes in one notification). The first `keep` lines (the
 * imports) are left alone. `document`, the editor's copy, is updated in place: it ends as the
 * text the server must have.
 */
export function editStorm(document: TextDocument, count: number, seed: number, keep = 2): { steps: StormStep[]; document: TextDocument } {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const steps: StormStep[] = [];
  const header = document.offsetAt({ line: keep, character: 0 });
  let cursor = document.getText().length;
  let typing = pick(TYPED);
  let typed = 0;
  while (steps.length < count) {
    const text = document.getText();
    // Never between \r and \n, nor inside a surrogate pair: an editor's cursor cannot sit there.
    const at = (offset: number) => {
      const clamped = Math.max(header, Math.min(offset, text.length));
      return /^(\r\n|[\uD800-\uDBFF][\uDC00-\uDFFF])$/.test(text.slice(clamped - 1, clamped + 1)) ? clamped - 1 : clamped;
    };
    const somewhere = () => header + Math.floor(random() * (text.length - header));
    const lineStart = (offset: number) => Math.max(header, text.lastIndexOf('\n', offset - 1) + 1);
    cursor = at(cursor);
    const roll = random();
    const edits: { start: number; end: number; text: string }[] = [];
    if (roll < 0.75) {
      if (typed >= typing.length) [typing, typed] = [pick(TYPED), 0];
      const key = typing.slice(typed, typed + (typing.codePointAt(typed)! > 0xffff ? 2 : 1));
      typed += key.length;
      edits.push({ start: cursor, end: cursor, text: key });
    } else if (roll < 0.85) {
      edits.push({ start: at(Math.max(0, cursor - 1)), end: cursor, text: '' });
    } else if (roll < 0.9) {
      // Elsewhere, a new line.
      cursor = lineStart(somewhere());
      typed = typing.length;
      continue;
    } else if (roll < 0.95) {
      edits.push({ start: cursor, end: cursor, text: pick(TYPED) });
    } else if (roll < 0.98) {
      const start = at(somewhere());
      edits.push({ start, end: at(start + 1 + Math.floor(random() * 8)), text: '' });
    } else {
      // Two lines commented out at once; the later one first, so the earlier offset still holds.
      const [first, second] = [lineStart(somewhere()), lineStart(cursor)].sort((x, y) => y - x);
      edits.push({ start: first, end: first, text: '# ' });
      if (second !== first) edits.push({ start: second, end: second, text: '# ' });
    }
    const version = document.version + 1;
    const changes: TextDocumentContentChangeEvent[] = [];
    for (const edit of edits) {
      // Each change's positions count the text the changes before it left.
      const range = { start: document.positionAt(edit.start), end: document.positionAt(edit.end) };
      changes.push({ range, text: edit.text });
      document = TextDocument.update(document, [{ range, text: edit.text }], version);
    }
    steps.push({ version, changes });
    cursor = edits[0].start + edits[0].text.length;
  }
  return { steps, document };
}

/** Diagnostics without what names their document or analysis, to compare two documents' findings. */
export function comparable(diagnostics: readonly Diagnostic[]): unknown[] {
  return diagnostics.map(({ data: _data, relatedInformation, ...rest }) => ({
    ...rest,
    related: relatedInformation?.map((r) => ({ range: r.location.range, message: r.message })),
  }));
}

/** Python files of `functions` layers (20 lines each): a fusable chain and a naive 3-operand einsum per layer. */
export function pythonModel(functions: number): string {
  const lines = ['import numpy as np', 'import torch', '', 'WIDTH = 256', 'weights = np.random.rand(WIDTH, WIDTH)', 'head = np.random.rand(WIDTH, 8)', '', ''];
  for (let k = 0; k < functions; k++) {
    lines.push(
      `def layer_${k}(x, w, v):`,
      `    """Layer ${k}: two contractions, the second feeding on the first."""`,
      `    # einsight: x[${64 + (k % 5)}, 16] float64 w[16, ${512 + (k % 7)}] float64 v[${512 + (k % 7)}, 8] float64`,
      '    scale = 0.5',
      "    h = np.einsum('bi,ij->bj', x, w)",
      "    y = np.einsum('bj,jk->bk', h, v)",
      '    if y.shape[0] > 1:',
      '        y = y * scale',
      '    for _ in range(3):',
      '        y = y + 1',
      "    z = np.einsum('ij,jk,kl->il', weights, weights, head)",
      '    total = 0',
      '    for value in y.flat:',
      '        total += value',
      '    # a comment line',
      '    result = (y, z, total)',
      '    return result',
      '',
      '',
      '',
    );
  }
  return lines.join('\n');
}

/** The TypeScript counterpart (tfjs), 20 lines per layer. */
export function typescriptModel(functions: number): string {
  const lines = ["import * as tf from '@tensorflow/tfjs';", '', 'const WIDTH = 256;', 'const weights = tf.randomNormal([WIDTH, WIDTH]);', 'const head = tf.randomNormal([WIDTH, 8]);', '', '', ''];
  for (let k = 0; k < functions; k++) {
    lines.push(
      `export function layer${k}(x: tf.Tensor, w: tf.Tensor, v: tf.Tensor) {`,
      `  // einsight: x[${64 + (k % 5)}, 16] w[16, ${512 + (k % 7)}] v[${512 + (k % 7)}, 8]`,
      '  const scale = 0.5;',
      "  const h = tf.einsum('bi,ij->bj', x, w);",
      "  let y = tf.einsum('bj,jk->bk', h, v);",
      '  if (y.shape[0] > 1) {',
      '    y = y.mul(scale);',
      '  }',
      "  const z = tf.einsum('ij,jk,kl->il', weights, weights, head);",
      '  let total = 0;',
      '  for (let i = 0; i < 3; i++) {',
      '    total += i;',
      '  }',
      '  // a comment line',
      '  const result = [y, z, total];',
      '  return result;',
      '}',
      '',
      '',
      '',
    );
  }
  return lines.join('\n');
}

let parser: Promise<PythonParser> | null = null;

/**
 * Whether each text is valid Python: CPython's own `ast.parse` when a `python3` runs here,
 * otherwise the tree-sitter grammar the server parses with.
 */
export async function pythonParses(texts: readonly string[]): Promise<boolean[]> {
  const script = 'import ast, json, sys\nfor t in json.load(sys.stdin):\n    try:\n        ast.parse(t); print(1)\n    except SyntaxError:\n        print(0)\n';
  const python = spawnSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8', timeout: 60_000 });
  if (python.status === 0) return python.stdout.trim().split('\n').filter(Boolean).map((line) => line === '1');
  parser ??= PythonParser.create();
  const treeSitter = await parser;
  return texts.map((text) => treeSitter.parse(text).syntaxErrors.length === 0);
}

/** The pid of this process's child whose command line mentions `needle` (Linux /proc); null elsewhere. */
export function childPid(needle: string): number | null {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (parent === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) return Number(entry);
      } catch {
        // The process ended while we looked.
      }
    }
  } catch {
    // No /proc: not Linux.
  }
  return null;
}

/** Peak and current resident memory of a process in MB (VmHWM, VmRSS), or null where /proc has none. */
export function residentMemory(pid: number | null): { peakMB: number; currentMB: number } | null {
  if (pid === null) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMB: kb('VmHWM') / 1024, currentMB: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}
