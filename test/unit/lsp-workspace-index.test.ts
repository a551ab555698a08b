/** The language server's Python workspace index: shapes across files, progress, updates. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { LspTestClient } from '../support/lsp-client';

const LAYERS = `import numpy as np


def project(points, basis):
    return np.einsum("nd,dk->nk", points, basis)
`;

const TRAIN = `import numpy as np

from layers import project

BASIS = np.ones((3, 2))


def main():
    return project(np.ones((8, 3)), BASIS)
`;

let folder: string;
let client: LspTestClient;
const uri = (name: string) => pathToFileURL(join(folder, name)).href;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'einsight-index-'));
  writeFileSync(join(folder, 'layers.py'), LAYERS);
  writeFileSync(join(folder, 'train.py'), TRAIN);
  client = await LspTestClient.start({ workspaceFolders: [pathToFileURL(folder).href] });
});

after(async () => {
  assert.equal(await client.stop(), 0);
  rmSync(folder, { recursive: true, force: true });
});

async function indexed(): Promise<void> {
  for (let i = 0; i < 200 && !client.progress.some((p) => p.value.kind === 'end'); i++) await new Promise((r) => setTimeout(r, 50));
}

async function sizesLine(name: string): Promise<string> {
  const hover = await client.hover(uri(name), { line: 4, character: 14 });
  const text = (hover?.contents as MarkupContent | undefined)?.value ?? '';
  return text.split('\n').find((line) => line.startsWith('Sizes:')) ?? text;
}

test('indexes the workspace in the background, with work-done progress', async () => {
  await indexed();
  const kinds = client.progress.map((p) => p.value.kind);
  assert.equal(kinds[0], 'begin');
  assert.equal(kinds[kinds.length - 1], 'end');
  assert.match(client.progress[0].value.title ?? '', /indexing Python files/);
});

test('a function sees the shapes its callers in other files pass, and says through which call', async () => {
  await indexed();
  await client.open(uri('layers.py'), LAYERS);
  await client.waitForDiagnostics(uri('layers.py'), 1);
  assert.equal(
    await sizesLine('layers.py'),
    'Sizes: `n` = 8, `d` = 3 from `np.ones((8, 3))` (train.py:9) via `project(np.ones((8, 3)), BASIS)` (train.py:9) · ' +
      '`k` = 2 from `np.ones((3, 2))` (train.py:5) via `project(np.ones((8, 3)), BASIS)` (train.py:9)',
  );
});

test('an edit in another open document reaches the function', async () => {
  await client.open(uri('train.py'), TRAIN);
  await client.waitForDiagnostics(uri('train.py'), 1);
  const edited = TRAIN.replace('np.ones((8, 3))', 'np.ones((5, 3))');
  await client.change(uri('train.py'), 2, [{ text: edited }]);
  await client.waitForDiagnostics(uri('train.py'), 2);
  await client.change(uri('layers.py'), 2, [{ text: `${LAYERS}\n` }]);
  await client.waitForDiagnostics(uri('layers.py'), 2);
  assert.match(await sizesLine('layers.py'), /^Sizes: `n` = 5, `d` = 3 from `np.ones\(\(5, 3\)\)`/);
});
