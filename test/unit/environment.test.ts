/**
 * The baseline follows the user's real environment: the interpreter asked (once, cached,
 * never waited on by the analysis), else the dependencies the project declares, transitive
 * ones included; `[tool.einsight]` in pyproject.toml declares einsum functions.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DeclaredEnvironment } from 'einsight-server/environment/declared';
import { EnvironmentCache, probePython } from 'einsight-server/environment/probe';
import type { PythonEnvironment } from 'einsight-server/analysis/model';
import { runCli } from '../support/cli';

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(join(tmpdir(), 'einsight-env-'));
  fs.mkdirSync(join(dir, '.git'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(join(dir, name, '..'), { recursive: true });
    fs.writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** An "interpreter" that answers the probe with fixed facts. */
function fakePython(dir: string, answer: object): string {
  const path = join(dir, 'fake-python');
  fs.writeFileSync(path, `#!/bin/sh\necho '${JSON.stringify(answer)}'\n`, { mode: 0o755 });
  return path;
}

const TORCH_SITE = 'import torch\nA = torch.ones(10, 100)\nB = torch.ones(100, 50)\nC = torch.ones(50, 5)\nr = torch.einsum("ij,jk,kl->il", A, B, C)\n';

describe('asking the interpreter', () => {
  it('reads versions and whether opt_einsum is importable from the answer', async () => {
    const dir = project({});
    const python = fakePython(dir, { executable: '/env/bin/python', python: '3.12.1', numpy: '2.1.0', torch: '2.3.0', opt_einsum: '3.4.0' });
    assert.deepEqual(await probePython(python), {
      source: 'interpreter',
      detail: '/env/bin/python (Python 3.12.1)',
      optEinsum: true,
      versions: { numpy: '2.1.0', torch: '2.3.0', opt_einsum: '3.4.0' },
    });
    assert.equal(await probePython(join(dir, 'missing')), `no Python interpreter at '${join(dir, 'missing')}'`);
  });

  it('runs the real probe on a real interpreter (where one is on the PATH)', async (t) => {
    if (spawnSync('python3', ['-c', 'import numpy']).status !== 0) return t.skip('no python3 with numpy');
    const answer = await probePython('python3');
    assert.ok(typeof answer !== 'string', String(answer));
    assert.match(answer.versions.numpy ?? '', /^\d+\.\d+/);
  });

  it('probes each interpreter once; the analysis never waits: null until the answer is in', async () => {
    let calls = 0;
    let release: (value: PythonEnvironment) => void = () => undefined;
    const cache = new EnvironmentCache(() => {
      calls++;
      return new Promise((resolve) => (release = resolve));
    });
    let told = 0;
    assert.equal(cache.current('py', () => told++), null);
    assert.equal(cache.current('py'), null);
    const answer: PythonEnvironment = { source: 'interpreter', detail: 'py', optEinsum: true, versions: { numpy: null, torch: null, opt_einsum: '3.4' } };
    release(answer);
    assert.deepEqual(await cache.ready('py', 1000), answer);
    assert.deepEqual(cache.current('py'), answer);
    assert.equal(calls, 1);
    assert.equal(told, 1);
  });

  it('einsight check: the interpreter decides over the declared dependencies; a failing --python falls back, saying so', async () => {
    const dir = project({ 'model.py': TORCH_SITE, 'requirements.txt': 'torch\n' });
    const withOe = fakePython(dir, { executable: 'p', python: '3.11', numpy: null, torch: '2.3.0', opt_einsum: '3.4.0' });
    const method = async (...flags: string[]) => {
      const result = await runCli(['check', join(dir, 'model.py'), '--format', 'json', ...flags]);
      return { method: JSON.parse(result.stdout).sites[0].baseline.method as string, stderr: result.stderr };
    };
    assert.deepEqual(await method('--python', withOe), { method: 'optimal', stderr: '' });
    assert.equal((await method('--python', 'none')).method, 'left-to-right');
    const missing = await method('--python', join(dir, 'nope'));
    assert.equal(missing.method, 'left-to-right');
    assert.match(missing.stderr, /--python: no Python interpreter at '.*nope'; using the dependencies the project declares/);
  });

  it('torch before 1.13 contracts left to right even with opt_einsum installed', async () => {
    const dir = project({ 'model.py': TORCH_SITE });
    const old = fakePython(dir, { executable: 'p', python: '3.9', numpy: '1.21', torch: '1.12.1', opt_einsum: '3.3.0' });
    const result = await runCli(['check', join(dir, 'model.py'), '--format', 'json', '--python', old]);
    const baseline = JSON.parse(result.stdout).sites[0].baseline;
    assert.equal(baseline.description, 'torch.einsum (torch 1.12.1, before 1.13) contracts left to right');
  });
});

describe('the dependencies a project declares', () => {
  const declared = (files: Record<string, string>) => new DeclaredEnvironment().for(join(project(files), 'src', 'model.py'));

  it('counts opt_einsum listed directly, or through a package that requires it', () => {
    assert.equal(declared({ 'requirements.txt': 'numpy==1.26.4\nopt-einsum>=3.3  # paths\n' }).optEinsum, true);
    const viaJax = declared({ 'pyproject.toml': '[project]\nname = "x"\ndependencies = ["jax[cpu]>=0.4", "numpy"]\n' });
    assert.deepEqual([viaJax.optEinsum, viaJax.detail], [true, 'pyproject.toml (jax requires opt_einsum)']);
    assert.equal(declared({ 'setup.py': 'setup(name="x", install_requires=["e3nn>=0.5", "torch"])\n' }).optEinsum, true);
    assert.equal(declared({ 'environment.yml': 'dependencies:\n  - python=3.11\n  - pip:\n    - tensornetwork\n' }).optEinsum, true);
  });

  it('is not fooled by a word in a description or a comment', () => {
    const text = '[project]\nname = "x"\ndescription = "Faster than jax or tensorflow"\ndependencies = ["numpy"]\n# opt_einsum some day\n';
    assert.equal(declared({ 'pyproject.toml': text }).optEinsum, false);
    assert.equal(declared({ 'requirements.txt': '# opt_einsum later\nnumpy\n' }).optEinsum, false);
  });

  it('reads exact pins (poetry, Pipfile, setup.cfg) and a project-local virtual environment', () => {
    const poetry = declared({ 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.10"\ntorch = "1.12.1"\nnumpy = "^1.24"\n' });
    assert.deepEqual(poetry.versions, { numpy: null, torch: '1.12.1', opt_einsum: null });
    assert.equal(declared({ Pipfile: '[packages]\nopt-einsum = "*"\n' }).optEinsum, true);
    assert.equal(declared({ 'setup.cfg': '[options]\ninstall_requires =\n    numpy\n    opt_einsum>=3\n' }).optEinsum, true);
    const venv = declared({ 'requirements.txt': 'torch\n', '.venv/lib/python3.11/site-packages/opt_einsum/__init__.py': '' });
    assert.deepEqual([venv.optEinsum, venv.detail], [true, 'requirements.txt; opt_einsum in .venv/lib/python3.11/site-packages']);
  });
});

describe('[tool.einsight] in pyproject.toml, and the CLI flags', () => {
  const LIB_SITE =
    'import numpy as np\nfrom pyscf import lib\nA = np.ones((10, 100))\nB = np.ones((100, 50))\nC = np.ones((50, 5))\nfor _ in range(3):\n    x = lib.einsum("ij,jk,kl->il", A, B, C)\n';

  it('declares a project wrapper as an einsum; a bad entry is named and left out', async () => {
    const pyproject = '[tool.einsight.einsum-functions]\n"pyscf.lib.einsum" = "numpy.einsum(optimize=True)"\n"bad.one" = "numpy.nothing"\n';
    const dir = project({ 'model.py': LIB_SITE, 'pyproject.toml': pyproject });
    const result = await runCli(['check', join(dir, 'model.py'), '--format', 'json', '--python', 'none']);
    const site = JSON.parse(result.stdout).sites[0];
    assert.equal(site.callee, 'numpy.einsum');
    assert.equal(site.baseline.method, 'greedy');
    assert.match(result.stderr, /pyproject\.toml: \[tool\.einsight\] einsum-functions\.bad\.one: 'numpy\.nothing' is not an einsum einsight knows/);
    const flagged = await runCli(['check', join(dir, 'model.py'), '--format', 'json', '--python', 'none', '--einsum-functions', 'pyscf.lib.einsum=numpy.einsum']);
    assert.equal(JSON.parse(flagged.stdout).sites[0].baseline.method, 'naive');
  });

  it('--dims takes ranges, --test-severity the severity of cost findings in tests', async () => {
    const dir = project({ 'tests/test_model.py': 'import numpy as np\nA = np.ones((10, 100))\nB = np.ones((100, 50))\nC = np.ones((50, 5))\nx = np.einsum("ij,jk,kl->il", A, B, C)\n' });
    const severities = async (...flags: string[]) =>
      JSON.parse((await runCli(['check', join(dir, 'tests'), '--format', 'json', '--python', 'none', ...flags])).stdout).findings.map((f: { severity: string }) => f.severity);
    assert.deepEqual(await severities(), ['hint']);
    assert.deepEqual(await severities('--test-severity', 'warning'), ['warning']);
    assert.deepEqual(await severities('--test-severity', 'off'), []);
    const bad = await runCli(['check', dir, '--dims', 'nocc=10..5']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /the range of nocc must be MIN\.\.MAX with 1 ≤ MIN ≤ MAX/);
  });
});
