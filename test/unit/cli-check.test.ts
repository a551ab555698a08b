import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { runBin, runCli } from '../support/cli';

const COSTLY = [
  'import numpy as np',
  'A = np.ones((10, 100))',
  'B = np.ones((100, 50))',
  'C = np.ones((50, 5))',
  'r = np.einsum("ij,jk,kl->il", A, B, C)',
  '',
].join('\n');
const CLEAN = 'import numpy as np\nr = np.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)))\n';

let root: string;

function write(relative: string, text: string): string {
  const path = join(root, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('einsight check', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'einsight-check-'));
    write('project/.git/HEAD', 'ref: refs/heads/main\n');
    write('project/.gitignore', 'generated_*.py\n!generated_keep.py\n');
    write('project/costly.py', COSTLY);
    write('project/clean.py', CLEAN);
    write('project/generated_skip.py', COSTLY);
    write('project/generated_keep.py', COSTLY);
    write('project/sub/.gitignore', 'local.py\n');
    write('project/sub/local.py', COSTLY);
    write('project/sub/other.py', COSTLY);
    write('project/.venv/lib/site.py', COSTLY);
    write('project/myenv/pyvenv.cfg', 'home = /usr/bin\n');
    write('project/myenv/lib/site.py', COSTLY);
    write('project/node_modules/pkg/x.py', COSTLY);
    write('project/notes.txt', COSTLY);
    write('clean/only.py', CLEAN);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('walks folders honouring .gitignore, and skips environments and node_modules', async () => {
    const result = await runCli(['check', join(root, 'project')]);
    const files = result.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((line) => line.slice(root.length + 1, line.indexOf(':', root.length + 1)));
    assert.deepEqual(files, ['project/costly.py', 'project/generated_keep.py', 'project/sub/other.py']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /3 findings in 4 files \(4 contraction sites\)\.\n$/);
  });

  it('prints one line per finding with the baseline, the best cost and the ratio', async () => {
    const file = join(root, 'project', 'costly.py');
    const result = await runCli(['check', file]);
    assert.equal(
      result.stdout,
      `${file}:5:5 EIN001 numpy.einsum without optimize runs one loop over every index: 750,000 FLOPs; ` +
        'the best path (optimal) needs 60,000 FLOPs (12.5× fewer)\n1 finding in 1 file (1 contraction site).\n',
    );
    assert.equal(result.code, 1);
  });

  it('reads a file named on the command line even when ignored', async () => {
    const result = await runCli(['check', join(root, 'project', 'generated_skip.py')]);
    assert.equal(result.code, 1);
  });

  it('exits 0 without findings and 2 on bad arguments or unreadable paths', async () => {
    const clean = await runCli(['check', join(root, 'clean')]);
    assert.deepEqual([clean.code, clean.stdout], [0, 'No findings in 1 file (1 contraction site).\n']);
    const missing = join(root, 'missing');
    const unreadable = await runCli(['check', join(root, 'clean'), missing]);
    assert.equal(unreadable.code, 2);
    assert.equal(unreadable.stderr, `einsight check: cannot read '${missing}': no such file or folder\n`);
    for (const argv of [
      ['check'],
      ['check', root, '--format', 'xml'],
      ['check', root, '--dims', 'batch'],
      ['check', root, '--min-speedup', '0.5'],
      ['check', root, '--torch-opt-einsum', 'maybe'],
      ['check', root, '--bogus'],
    ]) {
      const result = await runCli(argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.match(result.stderr, /^einsight check: /, argv.join(' '));
    }
  });

  it('raises the bar with --min-speedup and sizes unknown dimensions with --dims', async () => {
    const file = join(root, 'project', 'costly.py');
    assert.equal((await runCli(['check', file, '--min-speedup', '20'])).code, 0);
    const symbolic = write('dims/symbolic.py', 'import numpy as np\ndef f(x, y, z):\n    return np.einsum("ij,jk,kl->il", x, y, z)\n');
    const json = JSON.parse((await runCli(['check', symbolic, '--format', 'json', '--dims', 'i=10,j=100,k=50,l=5'])).stdout);
    assert.deepEqual([json.sites[0].baseline.flops, json.sites[0].best.flops], [750000, 60000]);
  });

  it('prints every site as one JSON document', async () => {
    const file = write('json/sites.py', `${COSTLY}s = np.einsum(f"{'ij'}", A)\n`);
    const result = await runCli(['check', file, '--format', 'json']);
    assert.equal(result.code, 1);
    assert.deepEqual(JSON.parse(result.stdout), {
      files: 1,
      sites: [
        {
          file,
          line: 5,
          column: 5,
          endLine: 5,
          endColumn: 39,
          kind: 'einsum',
          library: 'numpy',
          callee: 'numpy.einsum',
          equation: 'ij,jk,kl->il',
          operands: ['A', 'B', 'C'],
          shapes: [
            [10, 100],
            [100, 50],
            [50, 5],
          ],
          dynamic: false,
          baseline: {
            method: 'naive',
            description: 'numpy.einsum without optimize runs one loop over every index',
            flops: 750000,
            flopsExpression: '750000',
            scaling: 'O(N^4)',
            path: [[0, 1, 2]],
          },
          best: { optimizer: 'optimal', flops: 60000, flopsExpression: '60000', scaling: 'O(N^3)', path: [[1, 2], [0, 1]] },
          speedup: 12.5,
          chain: null,
          findings: ['EIN001'],
          observed: null,
        },
        {
          file,
          line: 6,
          column: 5,
          endLine: 6,
          endColumn: 28,
          kind: 'einsum',
          library: 'numpy',
          callee: 'numpy.einsum',
          equation: null,
          operands: ['A'],
          shapes: [[10, 100]],
          dynamic: true,
          baseline: null,
          best: null,
          speedup: null,
          chain: null,
          findings: [],
          observed: null,
        },
      ],
      findings: [
        {
          file,
          line: 5,
          column: 5,
          endLine: 5,
          endColumn: 39,
          code: 'EIN001',
          rule: 'wasted-flops',
          severity: 'warning',
          message:
            'numpy.einsum without optimize runs one loop over every index: 750,000 FLOPs; the best path (optimal) needs 60,000 FLOPs (12.5× fewer)',
          condition: null,
        },
      ],
      notAnalysed: [],
    });
  });

  it('writes SARIF 2.1.0 for code scanning', async () => {
    const result = await runCli(['check', join(root, 'project', 'costly.py'), '--format', 'sarif']);
    const sarif = JSON.parse(result.stdout);
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.name, 'einsight');
    assert.deepEqual(run.tool.driver.rules.slice(0, 2).map((r: { id: string; name: string }) => [r.id, r.name]), [
      ['EIN001', 'wasted-flops'],
      ['EIN002', 'equation-error'],
    ]);
    assert.equal(run.results.length, 1);
    const [finding] = run.results;
    assert.deepEqual([finding.ruleId, finding.ruleIndex, finding.level], ['EIN001', 0, 'warning']);
    assert.deepEqual(finding.locations[0].physicalLocation.region, { startLine: 5, startColumn: 5, endLine: 5, endColumn: 39 });
    assert.deepEqual(finding.locations[0].physicalLocation.artifactLocation, { uri: pathToFileURL(join(root, 'project', 'costly.py')).href });
    const relative = runBin(['check', 'examples/opt_einsum_fx_readme.py', '--format', 'sarif']);
    const located = JSON.parse(relative.stdout).runs[0].results[0].locations[0].physicalLocation.artifactLocation;
    assert.deepEqual(located, { uri: 'examples/opt_einsum_fx_readme.py', uriBaseId: '%SRCROOT%' });
    assert.equal(finding.properties.speedup, 12.5);
  });

  it('decides whether torch uses opt_einsum from the project dependencies when no interpreter is asked', async () => {
    const torch = 'import torch\nA = torch.ones(10, 100)\nB = torch.ones(100, 50)\nC = torch.ones(50, 5)\nr = torch.einsum("ij,jk,kl->il", A, B, C)\n';
    const without = write('torch-plain/model.py', torch);
    const withDeps = write('torch-oe/src/model.py', torch);
    write('torch-oe/requirements.txt', 'torch>=2.0\nopt-einsum>=3.3\n');
    const method = async (file: string, ...flags: string[]) =>
      JSON.parse((await runCli(['check', file, '--format', 'json', '--python', 'none', ...flags])).stdout).sites[0].baseline.method;
    assert.equal(await method(without), 'left-to-right');
    assert.equal(await method(withDeps), 'optimal');
    assert.equal(await method(withDeps, '--torch-opt-einsum', 'no'), 'left-to-right');
    assert.equal(await method(without, '--torch-opt-einsum', 'yes'), 'optimal');
  });

  it('shows real findings on the shipped examples, run as a user runs it', () => {
    const result = runBin(['check', 'examples/']);
    assert.equal(result.code, 1, result.stderr);
    const located = result.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((line) => line.split(' ').slice(0, 2).join(' '));
    assert.deepEqual(located, [
      'examples/attention.py:29:18 EIN005',
      'examples/bilinear.py:20:12 EIN001',
      'examples/bilinear.py:36:12 EIN006',
      'examples/opt_einsum_fx_readme.py:14:12 EIN001',
      'examples/opt_einsum_fx_readme.py:20:12 EIN005',
      'examples/tensor_network.py:16:12 EIN001',
    ]);
  });
});
