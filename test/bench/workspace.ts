/**
 * `npm run bench:workspace`: the Python workspace index on a generated workspace of 1,000 files
 * (packages of modules that import and call each other's einsum helpers, classes and configs):
 * the whole-program index built in slices as the language server builds it (total time, the
 * longest slice, i.e. the longest the analysis thread is busy between requests), the
 * re-analysis after an edit of one file, and a real language server indexing the folder in the
 * background with work-done progress. Prints numbers; asserts nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PythonWorkspace } from 'einsight-server/analysis/python/workspace';
import { LspTestClient } from '../support/lsp-client';

const FILES = 1000;
const PACKAGES = 20;
const TARGET_SLICE_MS = 100;

/** One module: helpers with einsums, a class, and calls into the module before it. */
function moduleText(i: number): string {
  const n = 8 + (i % 5) * 4;
  const previous = i > 0 ? `from pkg${(i - 1) % PACKAGES}.mod${i - 1} import contract_${i - 1}, Layer${i - 1}\n` : '';
  const calls = i > 0 ? `    y = contract_${i - 1}(x, np.ones((${n}, ${n})))\n    Layer${i - 1}(${n})(y)\n` : '';
  return `import numpy as np
${previous}

SIZE_${i} = ${n}


def contract_${i}(a, b):
    return np.einsum("ij,jk->ik", a, b)


class Layer${i}:
    def __init__(self, width):
        self.weight = np.ones((width, width))

    def __call__(self, x):
        return np.einsum("bi,ij->bj", x, self.weight)


def run_${i}(batch):
    x = np.ones((batch, ${n}))
${calls}    return contract_${i}(x, np.ones((${n}, SIZE_${i})))


if __name__ == "__main__":
    run_${i}(16)
`;
}

function generate(root: string): string[] {
  const files: string[] = [];
  for (let p = 0; p < PACKAGES; p++) {
    mkdirSync(join(root, `pkg${p}`), { recursive: true });
    writeFileSync(join(root, `pkg${p}`, '__init__.py'), '');
  }
  for (let i = 0; i < FILES; i++) {
    const file = join(root, `pkg${i % PACKAGES}`, `mod${i}.py`);
    writeFileSync(file, moduleText(i));
    files.push(file);
  }
  return files;
}

async function benchIndex(root: string, files: string[]): Promise<void> {
  const workspace = await PythonWorkspace.create();
  workspace.setRoots([root]);
  const { readFileSync } = await import('node:fs');
  const started = performance.now();
  for (const file of files) workspace.add(file, readFileSync(file, 'utf8'));
  const read = performance.now() - started;
  const slices: number[] = [];
  for (;;) {
    const t = performance.now();
    const done = workspace.step();
    slices.push(performance.now() - t);
    if (done) break;
  }
  const total = performance.now() - started;
  const longest = Math.max(...slices);
  console.log(`index of ${files.length} files (${files.length * moduleText(1).split('\n').length} lines): ${total.toFixed(0)} ms ` +
    `(parse and scopes ${read.toFixed(0)} ms, analysis ${(total - read).toFixed(0)} ms in ${slices.length} slices)`);
  console.log(`longest slice: ${longest.toFixed(0)} ms; target ≤ ${TARGET_SLICE_MS} ms: ${(longest / TARGET_SLICE_MS).toFixed(2)}× (${longest <= TARGET_SLICE_MS ? 'within' : 'OVER'})`);
  const middle = files[files.length >> 1];
  const edits: number[] = [];
  for (let run = 0; run < 10; run++) {
    const text = readFileSync(middle, 'utf8').replace('np.ones((batch,', run % 2 === 0 ? 'np.zeros((batch,' : 'np.ones((batch,');
    const t = performance.now();
    workspace.add(middle, text);
    workspace.shapes();
    edits.push(performance.now() - t);
  }
  edits.sort((a, b) => a - b);
  console.log(`re-analysis of the workspace after an edit of one file: median ${edits[5].toFixed(1)} ms (fastest ${edits[0].toFixed(1)} ms)`);
  const sample = workspace.analyze(files[7]);
  console.log(`a file's sites with every size known: ${sample?.sites.filter((s) => s.operands.every((o) => o.shape?.dims.every((d) => typeof d === 'number'))).length}/${sample?.sites.length}`);
  workspace.dispose();
}

async function benchServer(root: string): Promise<void> {
  const started = performance.now();
  const client = await LspTestClient.start({ workspaceFolders: [pathToFileURL(root).href] });
  while (!client.progress.some((p) => p.value.kind === 'end')) await new Promise((r) => setTimeout(r, 20));
  const reports = client.progress.filter((p) => p.value.kind === 'report').length;
  console.log(`language server: indexed in the background in ${(performance.now() - started).toFixed(0)} ms from start, ${reports} progress reports`);
  await client.stop();
}

async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'einsight-workspace-'));
  try {
    const files = generate(root);
    await benchIndex(root, files);
    await benchServer(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

run().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
