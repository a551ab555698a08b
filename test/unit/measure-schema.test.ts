/**
 * docs/measure.schema.json is the contract of `einsight measure --json`: real outputs of every
 * shape (both sections measured, the library missing, a section refused, a chain from a file,
 * an error) validate against it, and the schema itself is strict enough to catch a stray field.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { runCli } from '../support/cli';
import { parseFixture } from '../support/markers';
import { REPO_ROOT } from '../support/oracle';
import { pythonsWith } from '../support/python-runner';

const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'measure.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
const QUICK = ['--runs', '1', '--warmup', '1', '--budget', '0.01', '--json'];
const PYTHON = pythonsWith(['numpy'])[0];

async function output(args: string[], stdin = ''): Promise<unknown> {
  return JSON.parse((await runCli(['measure', ...args], stdin)).stdout);
}

function assertValid(json: unknown): void {
  assert.ok(validate(json), JSON.stringify(validate.errors, null, 2));
}

describe('docs/measure.schema.json', () => {
  it('holds for both sections measured (numpy and onnxruntime)', async () => {
    const json = await output(['--equation', 'ij,jk,kl,l->i', '--shapes', '16x16,16x16,16x16,16', '--library', 'numpy', '--python', PYTHON, ...QUICK]);
    assert.equal((json as { native: { status: string } }).native.status, 'measured');
    assertValid(json);
  });

  it('holds for a chain measured from a file, and for a section that is refused', async () => {
    const fixture = parseFixture(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'measure', 'native.py'), 'utf8'));
    const file = join(mkdtempSync(join(tmpdir(), 'einsight-schema-')), 'native.py');
    writeFileSync(file, fixture.text);
    const { line, character } = fixture.position('producer');
    assertValid(await output([`${file}:${line + 1}:${character + 1}`, '--python', PYTHON, ...QUICK]));
    const refused = await output(['--equation', 'ij,jk->ik', '--shapes', '1024x1024,1024x1024', '--max-memory', '10', ...QUICK]);
    assert.equal((refused as { onnxruntime: { status: string } }).onnxruntime.status, 'refused');
    assertValid(refused);
  });

  it('holds for errors', async () => {
    assertValid(await output(['--equation', 'ij,jk->ik', '--shapes', 'Nx4,4xM', '--json']));
    assertValid(await output(['--equation', 'ij,jk->iz', '--shapes', '2x3,3x4', '--json']));
  });

  it('rejects a field it does not document', async () => {
    const json = (await output(['--equation', 'ij,jk->ik', '--shapes', '4x5,5x6', '--no-native', ...QUICK])) as Record<string, unknown>;
    assertValid(json);
    assert.equal(validate({ ...json, surprise: 1 }), false);
    assert.equal(validate({ ...json, onnxruntime: { ...(json.onnxruntime as object), surprise: 1 } }), false);
  });
});
