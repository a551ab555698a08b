/**
 * media/measure.js, the results webview's script, run on a real `einsight measure --json`
 * report inside a minimal DOM: it draws the table and both bar charts, and sets nothing a
 * strict CSP would block (no style attributes, no markup strings).
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
  readonly listeners = new Map<string, () => void>();
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
  addEventListener(type: string, listener: () => void): void {
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

let measured: Promise<Record<string, any>> | undefined;

async function measuredReport(): Promise<Record<string, any>> {
  measured ??= runCli(['measure', '--equation', 'ij,jk,kl,l->i', '--shapes', '48x48,48x48,48x48,48', '--runs', '2', '--warmup', '0', '--json']).then((r) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  });
  return structuredClone(await measured);
}

async function render(edit: (report: Record<string, any>) => void = () => {}) {
  const report = await measuredReport();
  edit(report);
  const root = new FakeNode('main');
  root.dataset = { report: JSON.stringify(report) };
  const document = {
    getElementById: (id: string) => (id === 'measure' ? root : null),
    createElement: (tag: string) => new FakeNode(tag),
    createElementNS: (namespace: string, tag: string) => new FakeNode(tag, namespace),
  };
  runInNewContext(readFileSync(join(REPO_ROOT, 'media', 'measure.js'), 'utf8'), { document });
  return { root, report };
}

const widths = (svg: FakeNode) => svg.all('rect').map((rect) => Number(rect.attributes.get('width')));

describe('media/measure.js', () => {
  it('draws the table, the verdict and bar charts of both times and both FLOP counts', async () => {
    const { root, report } = await render();
    assert.equal(root.all('h1')[0].text, 'ij,jk,kl,l->i');
    assert.ok(root.text.includes(report.verdict));
    const rows = root.all('tr');
    assert.equal(rows.length, 1 + 1 + report.candidates.length);
    assert.deepEqual(rows[0].all('th').map((th) => th.text), ['model', 'median', 'min', 'p90', 'FLOPs', 'max |diff|', 'nodes']);
    assert.equal(rows[1].all('td')[4].text, formatCount(BigInt(report.asWritten.flops)));
    assert.equal(rows.filter((row) => row.attributes.get('class') === 'chosen').length, 1);
    const [times, flops] = root.all('svg');
    assert.equal(times.all('rect').length, 1 + report.candidates.length);
    assert.equal(flops.all('rect').length, 2);
    assert.equal(times.all('line').filter((l) => l.attributes.get('class') === 'whisker').length, 1 + report.candidates.length);
    // Linear scale: the as-written FLOP bar is as wide as the plot, the optimized one 1/predicted of it.
    const [written, optimized] = widths(flops);
    assert.ok(Math.abs(optimized - Math.max(1, written / report.predictedSpeedup)) < 1e-6);
  });

  it('switches both charts to a log scale', async () => {
    const { root } = await render();
    const before = widths(root.all('svg')[1]);
    root.all('button')[0].listeners.get('click')!();
    const after = widths(root.all('svg')[1]);
    assert.equal(after[0], before[0]);
    // Log scale from half a decade below the smallest value: the small bar keeps 0.5 / (log10(ratio) + 0.5) of the plot.
    const ratio = before[0] / before[1];
    assert.ok(Math.abs(after[1] / after[0] - 0.5 / (Math.log10(ratio) + 0.5)) < 1e-9, `${after}`);
    assert.equal(root.all('button')[0].text, 'linear scale');
  });

  it('sets no style attributes and no event-handler attributes (strict CSP)', async () => {
    const { root } = await render();
    const everything = [root, ...root.children.flatMap(function walk(node: FakeNode): FakeNode[] {
      return [node, ...node.children.flatMap(walk)];
    })];
    for (const node of everything) {
      for (const name of node.attributes.keys()) assert.ok(name !== 'style' && !name.startsWith('on'), `${node.tag} has ${name}`);
    }
  });

  it('writes counts and speedups as the rest of einsight does', async () => {
    for (const [flops, speedup] of [[786_432, 1.04], [1_000_000, 51.94], [1_605_000_000, 270.4], [123_456_789_012, 12_499.6], [4_800_000, 3.2e9]]) {
      const { root } = await render((report) => {
        report.asWritten.flops = flops;
        report.predictedSpeedup = speedup;
        report.measuredSpeedup = speedup;
      });
      assert.equal(root.all('tr')[1].all('td')[4].text, formatCount(BigInt(flops)));
      const boxes = root.all('div').filter((d) => d.attributes.get('class') === 'value').map((d) => d.text);
      assert.deepEqual(boxes, [formatSpeedup(speedup), formatSpeedup(speedup)]);
    }
  });
});
