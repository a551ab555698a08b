/**
 * media/measure.js, the measure panel's script, run inside a minimal DOM on a real `einsight
 * measure --json` report (numpy and onnxruntime), on progress and on an error: it draws the
 * headline, a table per runtime whose text cells wrap (no sideways scrolling), the time chart,
 * progress, "Open setting", and sets nothing a strict CSP would block.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { formatCount, formatSpeedup } from 'einsight-server/core/counts';
import { runCli } from '../support/cli';
import { REPO_ROOT } from '../support/oracle';

class FakeNode {
  readonly children: FakeNode[] = [];
  readonly attributes = new Map<string, string>();
  readonly listeners = new Map<string, (event?: unknown) => void>();
  dataset: Record<string, string> = {};
  textContent = '';

  constructor(
    readonly tag: string,
    readonly namespace: string | null = null,
  ) {}

  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value));
  }
  append(...nodes: (FakeNode | string)[]): void {
    for (const node of nodes) {
      if (typeof node === 'string') {
        const text = new FakeNode('#text');
        text.textContent = node;
        this.children.push(text);
      } else this.children.push(node);
    }
  }
  replaceChildren(...nodes: (FakeNode | string)[]): void {
    this.children.length = 0;
    this.append(...nodes);
  }
  addEventListener(type: string, listener: (event?: unknown) => void): void {
    this.listeners.set(type, listener);
  }
  /** Descendants with this tag, in document order. */
  all(tag: string): FakeNode[] {
    return this.children.flatMap((child) => [...(child.tag === tag ? [child] : []), ...child.all(tag)]);
  }
  get text(): string {
    return this.textContent + this.children.map((child) => child.text).join('');
  }
}

/** Runs media/measure.js on a state; `posted` collects what it sends the extension. */
function run(state: unknown) {
  const root = new FakeNode('main');
  root.dataset = { state: JSON.stringify(state) };
  const posted: unknown[] = [];
  const window = new FakeNode('window');
  const document = {
    getElementById: (id: string) => (id === 'measure' ? root : null),
    createElement: (tag: string) => new FakeNode(tag),
    createElementNS: (namespace: string, tag: string) => new FakeNode(tag, namespace),
  };
  // Copied out of the script's realm, so deepEqual compares plain objects.
  const acquireVsCodeApi = () => ({ postMessage: (message: unknown) => posted.push(JSON.parse(JSON.stringify(message))) });
  runInNewContext(readFileSync(join(REPO_ROOT, 'media', 'measure.js'), 'utf8'), { document, window, acquireVsCodeApi });
  return { root, posted, send: (next: unknown) => window.listeners.get('message')!({ data: next }) };
}

let measured: Record<string, any> | null = null;

async function report(): Promise<Record<string, any>> {
  if (!measured) {
    const args = ['--equation', 'ij,jk,kl,l->i', '--shapes', '48x48,48x48,48x48,48', '--library', 'numpy', '--runs', '2', '--warmup', '0', '--budget', '0.01'];
    const r = await runCli(['measure', ...args, '--json']);
    assert.equal(r.code, 0, r.stderr);
    measured = JSON.parse(r.stdout) as Record<string, any>;
  }
  return measured;
}

const widths = (svg: FakeNode) => svg.all('rect').map((rect) => Number(rect.attributes.get('width')));
const everything = (root: FakeNode): FakeNode[] => [root, ...root.children.flatMap(everything)];

describe('media/measure.js', () => {
  it('leads with the headline, then a table per runtime and the time chart', async () => {
    const r = await report();
    const { root } = run({ kind: 'report', report: r });
    assert.equal(root.all('h1')[0].text, 'ij,jk,kl,l->i');
    assert.equal(root.all('div').find((d) => d.attributes.get('class') === 'headline')?.text, r.headline);
    assert.match(r.headline, /^as written in numpy: .* → optimized: .* \(.*×\); the finding predicted .*× from FLOPs$/);
    const [native, onnx] = root.all('table');
    assert.deepEqual(native.all('th').map((th) => th.text), ['', 'median', 'fastest – slowest 10%', 'runs', 'how it ran']);
    const rows = native.all('tr').slice(1).map((tr) => tr.all('td').map((td) => td.text));
    assert.deepEqual(rows.map((row) => [row[0], row[4]]), [
      ['as written', 'one loop over all 4 operands, no path'],
      ['optimized', '3 loops of at most 2 operands'],
    ]);
    assert.equal(onnx.all('tr').length, 1 + 1 + r.onnxruntime.candidates.length);
    assert.equal(onnx.all('tr').filter((row) => row.attributes.get('class') === 'chosen').length, 1);
    assert.ok(root.text.includes('Optimized is the code of the quick fix: Contract pairwise in the best order'));
    const [chart] = root.all('svg');
    assert.equal(chart.all('rect').length, 4);
    assert.equal(chart.all('line').filter((l) => l.attributes.get('class') === 'whisker').length, 4);
  });

  it('wraps text cells and keeps numbers on one line: nothing scrolls sideways', async () => {
    const { root } = run({ kind: 'report', report: await report() });
    for (const cell of [...root.all('td'), ...root.all('th')]) assert.match(cell.attributes.get('class') ?? '', /^(text|num)$/);
    const css = readFileSync(join(REPO_ROOT, 'media', 'measure.css'), 'utf8');
    assert.match(css, /th\.text, td\.text \{[^}]*overflow-wrap: anywhere/);
    assert.match(css, /table \{[^}]*width: 100%/);
    assert.match(css, /svg\.chart \{[^}]*width: 100%/);
    assert.ok(root.all('svg').every((svg) => svg.attributes.has('viewBox') && !svg.attributes.has('width')), 'charts scale with the panel');
  });

  it('switches the chart to a log scale', async () => {
    const { root } = run({ kind: 'report', report: await report() });
    const before = widths(root.all('svg')[0]);
    root.all('button').find((b) => b.text === 'log scale')!.listeners.get('click')!();
    const after = widths(root.all('svg')[0]);
    // A log axis from half a decade below the smallest value: the shortest bar keeps 0.5 decade of it.
    assert.ok(Math.min(...after) > Math.min(...before), `${before} → ${after}`);
    assert.ok(root.all('button').some((b) => b.text === 'linear scale'));
  });

  it('shows progress, clears it for the result, and leads an error with its reason and "Open setting"', async () => {
    const { root, send, posted } = run({ kind: 'progress', title: 'einsight: measuring a.py', message: 'in the library, as written: run 2', fraction: 0.25 });
    assert.equal(root.all('progress')[0].attributes.get('value'), '25');
    assert.ok(root.text.includes('in the library, as written: run 2'));
    send({ kind: 'report', report: await report() });
    assert.equal(root.all('progress').length, 0);
    send({ kind: 'error', title: 'einsight: measuring a.py', message: 'measuring needs about 3,000 MB, over the 2,048 MB limit', setting: 'einsight.measure.maxMemoryMB' });
    assert.equal(root.all('table').length, 0);
    const notice = root.all('div').find((d) => d.attributes.get('class') === 'notice warn')!;
    assert.match(notice.text, /^measuring needs about 3,000 MB/);
    notice.all('button')[0].listeners.get('click')!();
    assert.deepEqual(posted, [{ type: 'openSetting', setting: 'einsight.measure.maxMemoryMB' }]);
  });

  it('says why the library measurement is missing, with the setting that fixes it', async () => {
    const r = await report();
    const missing = { ...r, native: { status: 'unavailable', reason: "python3 cannot import torch (ModuleNotFoundError: No module named 'torch')", setting: 'einsight.measure.python' } };
    const { root, posted } = run({ kind: 'report', report: missing });
    assert.ok(root.text.includes("Not measured in the library: python3 cannot import torch"));
    root.all('button').find((b) => b.text === 'Open setting')!.listeners.get('click')!();
    assert.deepEqual(posted, [{ type: 'openSetting', setting: 'einsight.measure.python' }]);
  });

  it('writes counts and speedups as the rest of einsight does', async () => {
    for (const [flops, speedup] of [[786_432, 1.04], [1_000_000, 51.94], [1_605_000_000, 270.4], [123_456_789_012, 12_499.6], [4_800_000, 3.2e9]]) {
      const r = structuredClone(await report());
      r.onnxruntime.asWritten.flops = flops;
      r.onnxruntime.predictedSpeedup = speedup;
      r.onnxruntime.measuredSpeedup = speedup;
      const { root } = run({ kind: 'report', report: r });
      const onnx = root.all('table')[1];
      assert.equal(onnx.all('tr')[1].all('td')[3].text, formatCount(BigInt(flops)));
      assert.ok(root.text.includes(`${formatSpeedup(speedup)} measured, ${formatSpeedup(speedup)} predicted from its FLOPs`), root.text);
    }
  });

  it('sets no style attributes and no event-handler attributes (strict CSP)', async () => {
    const { root } = run({ kind: 'report', report: await report() });
    for (const node of everything(root)) {
      for (const name of node.attributes.keys()) assert.ok(name !== 'style' && !name.startsWith('on'), `${node.tag} has ${name}`);
    }
  });
});
