/**
 * `npm run bench:analysis`: the Python front end on a generated 5,000-line file with 500
 * contraction sites (full analysis, and re-analysis after a one-character edit), and the
 * folder throughput of `einsight check`. Prints numbers against the targets; asserts nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from 'einsight-server/cli/main';
import { PythonDocument } from 'einsight-server/analysis/python/analyze';

const TARGET_FULL_MS = 100;
const TARGET_EDIT_MS = 20;
const RUNS = 15;
const WARM_UP_RUNS = 5;

/** Ten lines and one contraction per block, in the styles real code mixes. */
function block(i: number): string[] {
  const n = 8 + (i % 7) * 4;
  switch (i % 6) {
    case 0:
      return [
        `def attention_${i}(q, k, v):`,
        `    # einsight: q[B, 8, ${n * 4}, 64] k[B, 8, ${n * 4}, 64]`,
        `    scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(64)`,
        '    weights = scores.softmax(-1)',
        '    return weights @ v',
        '',
        '',
        `LAYER_${i} = ${n}`,
        '',
        '',
      ];
    case 1:
      return [
        `def network_${i}():`,
        `    a = np.random.rand(${n}, ${2 * n})`,
        `    b = np.random.rand(${2 * n}, ${n + 3})`,
        `    c = np.random.rand(${n + 3}, 5)`,
        '    result = np.einsum("ij,jk,kl->il", a, b, c)',
        '    return result.sum()',
        '',
        '',
        '',
        '',
      ];
    case 2:
      return [
        `class Layer${i}(nn.Module):`,
        '    def __init__(self):',
        '        super().__init__()',
        `        self.weight = nn.Parameter(torch.randn(${n}, ${n}, 16))`,
        '',
        `    def forward(self, x: Float[Tensor, "batch ${n}"], y: Float[Tensor, "batch 16"]):`,
        '        return torch.einsum("bi,oij,bj->bo", x, self.weight, y)',
        '',
        '',
        '',
      ];
    case 3:
      return [
        `def chain_${i}(x, w1, w2):`,
        `    # einsight: x[B, ${n}] w1[${n}, 128] w2[128, ${n}]`,
        '    h = torch.einsum("bi,ij->bj", x, w1)',
        '    out = torch.einsum("bj,jk->bk", h, w2)',
        '    return out * 0.5',
        '',
        '',
        '',
        '',
        '',
      ];
    case 4:
      return [
        `def products_${i}(m, v):`,
        `    # einsight: m[${n}, ${n}] v[${n}]`,
        '    for _ in range(4):',
        '        v = m @ m.T @ v',
        '    return v',
        '',
        '',
        '',
        '',
        '',
      ];
    default:
      return [
        `def helper_${i}(values):`,
        '    total = 0',
        '    for value in values:',
        '        total += value * value',
        '    return math.sqrt(total)',
        '',
        '',
        '',
        '',
        '',
      ];
  }
}

export function generatedModule(blocks: number): string {
  const header = [
    'import math',
    '',
    'import numpy as np',
    'import torch',
    'from jaxtyping import Float',
    'from torch import Tensor, nn',
    '',
    'B = 32',
    'IDENTITY = np.einsum("ii->i", np.eye(4))',
    '',
  ];
  const lines = [...header];
  for (let i = 0; i < blocks; i++) lines.push(...block(i));
  return lines.join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

/** The median against the target; the fastest run shows what an unloaded machine does. */
function report(label: string, samples: number[], target: number): void {
  const middle = median(samples);
  const verdict = middle <= target ? 'within' : 'OVER';
  console.log(
    `${label.padEnd(40)} median ${middle.toFixed(1).padStart(6)} ms (fastest ${Math.min(...samples).toFixed(1)} ms);` +
      ` target ≤ ${target} ms: ${(middle / target).toFixed(2)}× (${verdict})`,
  );
}

async function benchFile(): Promise<void> {
  const text = generatedModule(499);
  const lines = text.split('\n').length;
  // A language server analyses many versions in one process: warm the JIT up first, as it is
  // there, so the numbers are the steady state rather than V8's first compilations.
  let sites = 0;
  for (let run = 0; run < WARM_UP_RUNS; run++) {
    const warm = await PythonDocument.open();
    sites = warm.analyze(text, null).sites.length;
    warm.dispose();
  }
  console.log(`generated module: ${lines} lines, ${sites} contraction sites`);

  // Cold: a new document each time (no parse tree, no cost cache).
  const full: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const document = await PythonDocument.open();
    full.push(timed(() => document.analyze(text, null)));
    document.dispose();
  }
  report('full analysis (cold document)', full, TARGET_FULL_MS);

  // Edit: one character typed inside a function in the middle of the file, then deleted again
  // (everything after it moves by one).
  const document = await PythonDocument.open();
  document.analyze(text, null);
  const at = text.indexOf('"ij,jk,kl->il"', text.length / 2) + 3;
  const typed = `${text.slice(0, at)}m${text.slice(at)}`;
  const edits: number[] = [];
  for (let run = 0; run < RUNS * 2; run++) {
    const typing = run % 2 === 0;
    const change = typing ? { start: at, end: at, text: 'm' } : { start: at, end: at + 1, text: '' };
    edits.push(timed(() => document.analyze(typing ? typed : text, [change])));
  }
  report('re-analysis after a one-character edit', edits, TARGET_EDIT_MS);
  document.dispose();
}

async function benchFolder(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'einsight-bench-'));
  const files = 200;
  try {
    for (let f = 0; f < files; f++) {
      const dir = join(root, `package_${f % 10}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `module_${f}.py`), generatedModule(10));
    }
    const silent = { stdout: () => undefined, stderr: () => undefined, readStdin: () => '' };
    await main(['check', root], silent);
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      await main(['check', root], silent);
      times.push(performance.now() - started);
    }
    const ms = median(times);
    console.log(`einsight check on ${files} files of 110 lines: ${ms.toFixed(0)} ms, ${((files / ms) * 1000).toFixed(0)} files/s`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function run(): Promise<void> {
  await benchFile();
  await benchFolder();
}

if (require.main === module) {
  run().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
