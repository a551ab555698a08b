/**
 * Recorded shapes in the real server over stdio: findings and hover carry the recorded weight,
 * the status says recordings are in use, and a new recording re-analyses the open document
 * (through the client's file watcher, or by polling for a client without one).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { emptyObserved, serializeObserved } from 'einsight-server/analysis/observed/format';
import type { ObservedSite } from 'einsight-server/analysis/observed/format';
import { LspTestClient } from '../support/lsp-client';
import { recordOf } from '../support/observations';

const MODEL = ['import numpy as np', '', 'def project(x, w, v):', '    return np.einsum("bi,ij,j->b", x, w, v)', ''].join('\n');
const CALL = 'np.einsum("bi,ij,j->b", x, w, v)';

/** A diagnostic's message as text (LSP 3.18 allows markup). */
function text(message: string | MarkupContent): string {
  return typeof message === 'string' ? message : message.value;
}

let root: string;
let uri: string;
let observedPath: string;

function writeObserved(...sites: ObservedSite[]): void {
  writeObservedAt(observedPath, ...sites);
}

function writeObservedAt(path: string, ...sites: ObservedSite[]): void {
  const file = emptyObserved('einsight test');
  file.runs.push({ command: ['python', 'model.py'], started: '2026-01-01T00:00:00.000Z', durationMs: 1, exitCode: 0, processes: 1, calls: 1 });
  file.files['model.py'] = sites;
  writeFileSync(path, serializeObserved(file));
}

function einsum(calls: number, batches: number[]): ObservedSite {
  return recordOf(
    MODEL,
    CALL,
    batches.map((b) => [[[b, 64], [64, 64], [64]], calls / batches.length, (calls / batches.length) * 1000]),
  );
}

describe('recorded shapes in the language server', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'einsight-lsp-observed-'));
    mkdirSync(join(root, '.einsight'));
    writeFileSync(join(root, 'pyproject.toml'), '');
    writeFileSync(join(root, 'model.py'), MODEL);
    uri = pathToFileURL(join(root, 'model.py')).toString();
    observedPath = join(root, '.einsight', 'observed.json');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('findings and hover carry the recorded weight; the status says recordings are in use; a new recording re-analyses', async () => {
    writeObserved(einsum(12_400, [32]));
    const client = await LspTestClient.start({ watchFiles: true });
    try {
      await client.open(uri, MODEL);
      const published = await client.waitForDiagnostics(uri, 1);
      assert.deepEqual(
        published.diagnostics.map((d) => [d.code, text(d.message).slice(text(d.message).indexOf(' at the recorded'))]),
        [['EIN001', ' at the recorded sizes; called 12,400 times, 100% of einsum time in the recorded run']],
      );
      const status = await client.waitForStatus(uri, 'ready');
      assert.deepEqual(status?.observed, { source: observedPath, matched: 1, stale: 0 });
      assert.deepEqual(client.registrations, [
        { registrations: [{ id: (client.registrations[0] as { registrations: { id: string }[] }).registrations[0].id, method: 'workspace/didChangeWatchedFiles', registerOptions: { watchers: [{ globPattern: '**/.einsight/observed.json' }] } }] },
      ]);
      const hover = (await client.hover(uri, { line: 3, character: 14 }))?.contents as MarkupContent;
      // The Recorded section, up to the next one (the fixes not offered follow it).
      const recorded = hover.value.slice(hover.value.indexOf('**Recorded**')).split('\n\n').slice(0, 2).join('\n\n');
      // numpy's loop over b, i, j: 3 · 32·64·64 FLOPs; the best order 2·64·64 + 2·32·64.
      assert.equal(
        recorded,
        [
          '**Recorded**: called 12,400 times, 100% of einsum time in the recorded run.',
          '',
          '| shapes | calls | time | FLOPs as written | best order |',
          '| --- | --- | --- | --- | --- |',
          '| `[32, 64] · [64, 64] · [64]` | 12,400 | 12.4 ms | 393,216 | 12,288 (32.0× fewer) |',
        ].join('\n'),
      );
      assert.match(hover.value, /\nSizes: `b` = 32, `i` = 64 from \[32, 64\] in the recorded run · `j` = 64 from \[64, 64\] in the recorded run\n/);

      // A new recording: two shapes now, so the batch size stays symbolic on the site.
      writeObserved(einsum(600, [32, 8]));
      const reanalysed = client.nextDiagnostics((p) => p.uri === uri, 10_000, 'diagnostics after the new recording');
      await client.filesChanged([{ uri: pathToFileURL(observedPath).toString(), type: 2 }]);
      const after = await reanalysed;
      assert.match(text(after.diagnostics[0].message), /holds at all 2 recorded shapes .*; called 600 times, 100% of einsum time in the recorded run$/);
      const second = (await client.hover(uri, { line: 3, character: 14 }))?.contents as MarkupContent;
      assert.match(second.value, /Sizes that varied stay symbolic above; a finding here holds at every recorded shape\./);
    } finally {
      assert.equal(await client.stop(), 0);
    }
  });

  it('polls the recording for a client that cannot watch files', async () => {
    writeObserved(einsum(10, [32]));
    const client = await LspTestClient.start();
    try {
      await client.open(uri, MODEL);
      const first = await client.waitForDiagnostics(uri, 1);
      assert.match(text(first.diagnostics[0].message), /called 10 times/);
      assert.deepEqual(client.registrations, []);
      const reanalysed = client.nextDiagnostics((p) => p.uri === uri && /called 20 times/.test(text(p.diagnostics[0]?.message ?? '')), 15_000, 'the polled recording');
      writeObserved(einsum(20, [32]));
      await reanalysed;
    } finally {
      assert.equal(await client.stop(), 0);
    }
  });

  it('a first recording in a folder with no project marker is used at once when the client reports it', async () => {
    // What "Record a run" does in a plain folder: `.einsight/` appears right after the document
    // was analysed without a project root, and the watcher's event follows within a second.
    const plainFolder = mkdtempSync(join(tmpdir(), 'einsight-lsp-unrooted-'));
    const plainUri = pathToFileURL(join(plainFolder, 'model.py')).toString();
    writeFileSync(join(plainFolder, 'model.py'), MODEL);
    const client = await LspTestClient.start({ watchFiles: true });
    try {
      await client.open(plainUri, MODEL);
      const first = await client.waitForDiagnostics(plainUri, 1);
      assert.doesNotMatch(first.diagnostics.map((d) => text(d.message)).join('\n'), /recorded/);
      mkdirSync(join(plainFolder, '.einsight'));
      const recorded = join(plainFolder, '.einsight', 'observed.json');
      writeObservedAt(recorded, einsum(3, [40]));
      const reanalysed = client.nextDiagnostics((p) => p.uri === plainUri && /called 3 times/.test(text(p.diagnostics[0]?.message ?? '')), 10_000, 'the first recording');
      await client.filesChanged([{ uri: pathToFileURL(recorded).toString(), type: 1 }]);
      await reanalysed;
    } finally {
      assert.equal(await client.stop(), 0);
      rmSync(plainFolder, { recursive: true, force: true });
    }
  });

  it('shows no weight and no recordings in the status once the recording is gone', async () => {
    rmSync(observedPath);
    const client = await LspTestClient.start();
    try {
      await client.open(uri, MODEL);
      const published = await client.waitForDiagnostics(uri, 1);
      // Without recordings the sizes are symbolic: a scaling finding, no weight.
      assert.doesNotMatch(published.diagnostics.map((d) => text(d.message)).join('\n'), /recorded/);
      assert.equal((await client.waitForStatus(uri, 'ready')).observed, null);
    } finally {
      assert.equal(await client.stop(), 0);
    }
  });
});
