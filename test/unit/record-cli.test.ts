/**
 * `einsight record` on real Python programs (test/fixtures/record): sizes from arguments, files
 * and loops; several processes and threads; exit codes; merging runs; recordings of edited files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findPython, pythonsWith } from '../support/python-runner';
import { serializeObserved } from 'einsight-server/analysis/observed/format';
import { runBin } from '../support/cli';
import { RecordProject, signatures } from '../support/record-project';

const python = findPython(['numpy']);
const torchPython = findPython(['torch']);
const pytestPythons = pythonsWith(['numpy', 'pytest']);

describe('einsight record', { skip: python === null && 'no Python with numpy' }, () => {
  let project: RecordProject;
  before(() => (project = new RecordProject()));
  after(() => project.remove());

  it('records each call site with its shapes and counts, sizes coming from arguments, a file and a loop', () => {
    const result = project.record(['--', python!, 'sizes.py', '5', 'width.json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '(15, 16)\n');
    assert.match(result.stderr, /einsight record: 2 contraction sites, 4 calls in 1 process, [\d.]+ ms in the calls → \.einsight\/observed\.json/);
    const [project3, interleaved] = project.sites('sizes.py');
    assert.deepEqual(
      { ...project3, timeNs: 0, shapes: [], near: [] },
      {
        callee: 'numpy.einsum',
        line: 10,
        column: 12,
        endLine: 10,
        endColumn: 44,
        text: 'np.einsum("bi,ij,j->b", x, w, v)',
        near: [],
        calls: 3,
        timeNs: 0,
        shapes: [],
      },
    );
    assert.deepEqual(signatures(project3).sort(), ['bi,ij,j->b [10,16] [16,16] [16] x1', 'bi,ij,j->b [15,16] [16,16] [16] x1', 'bi,ij,j->b [5,16] [16,16] [16] x1']);
    assert.equal(project3.near?.length, 4);
    // numpy's interleaved form, spelled in letters; a call spanning lines keeps its whole range.
    assert.deepEqual([interleaved.line, interleaved.column, interleaved.endLine, interleaved.endColumn], [22, 9, 26, 6]);
    assert.equal(interleaved.text, 'np.einsum(\n        x, [0, 1],\n        w, [1, 2],\n        [0, 2],\n    )');
    assert.deepEqual(signatures(interleaved), ['AB,BC->AC [15,16] [16,16] x1']);
    assert.deepEqual(project3.shapes[0].operands[0], { shape: project3.shapes[0].operands[0].shape, dtype: 'float64' });
  });

  it('never stores a tensor value', () => {
    const text = readFileSync(project.observedPath, 'utf8');
    // sizes.py fills its weights with 1234567.125.
    assert.doesNotMatch(text, /1234567/);
    const keys = new Set<string>();
    for (const sites of Object.values(project.observed().files)) {
      for (const site of sites) for (const shape of site.shapes) for (const operand of shape.operands) Object.keys(operand).forEach((k) => keys.add(k));
    }
    assert.deepEqual([...keys].sort(), ['dtype', 'shape']);
  });

  it('merges a later run into the file: counts add up, shapes join', () => {
    const result = project.record(['--', python!, 'sizes.py', '2', 'width.json']);
    assert.equal(result.code, 0, result.stderr);
    const file = project.observed();
    assert.equal(file.runs.length, 2);
    assert.deepEqual(file.runs[1].command, [python!, 'sizes.py', '2', 'width.json']);
    assert.equal(file.runs[1].exitCode, 0);
    const [site] = project.sites('sizes.py');
    assert.equal(site.calls, 6);
    assert.deepEqual(site.shapes.map((s) => s.operands[0].shape![0]!).sort((a, b) => a - b), [2, 4, 5, 6, 10, 15]);
  });

  it('moves earlier recordings with their call when the file is edited, and drops those whose call is gone', () => {
    project.write('sizes.py', `# a comment\n# another\n${project.read('sizes.py')}`);
    let result = project.record(['--', python!, '-c', 'print("no einsum here")']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /no contraction call was recorded/);
    // Nothing recorded: the file is left as it was.
    assert.deepEqual(project.sites('sizes.py').map((s) => s.line), [10, 22]);
    result = project.record(['--', python!, 'workers.py']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(project.sites('sizes.py').map((s) => [s.line, s.column, s.calls]), [[12, 12, 6], [24, 9, 2]]);
    project.write('sizes.py', project.read('sizes.py').replace('np.einsum("bi,ij,j->b", x, w, v)', 'np.einsum("bi,ij,j->b", x, w, 2 * v)'));
    result = project.record(['--', python!, 'workers.py']);
    assert.match(result.stderr, /dropped 1 earlier recording of calls no longer in the code/);
    assert.deepEqual(project.sites('sizes.py').map((s) => s.line), [24]);
  });

  it('check uses the recording: recorded weight in findings, --sort time, --observed FILE, --no-observed', () => {
    const fresh = new RecordProject();
    try {
      // sizes.py's one finding, then a busier copy: called 200 times as often on larger operands,
      // so that it takes far longer whatever else the machine is doing.
      fresh.write('worker_busy.py', fresh.read('sizes.py').replace('        project(x, w, v)', '        for _ in range(200):\n            project(x, w, v)'));
      fresh.write('wide.json', '{"width": 160}');
      assert.equal(fresh.record(['--', python!, 'sizes.py', '2', 'width.json']).code, 0);
      assert.equal(fresh.record(['--', python!, 'worker_busy.py', '2', 'wide.json']).code, 0);
      const check = (...args: string[]) => runBin(['check', '.', ...args], { cwd: fresh.root });
      const byFile = check().stdout.trim().split('\n');
      assert.deepEqual(byFile.slice(0, -1).map((line) => line.slice(0, line.indexOf(' '))), ['sizes.py:10:12', 'worker_busy.py:10:12']);
      assert.match(byFile[1], /holds at all 3 recorded shapes \([\d.]+×–[\d.]+× fewer\); called 600 times, \d+% of einsum time in 2 recorded runs$/);
      const byTime = check('--sort', 'time').stdout.trim().split('\n');
      assert.deepEqual(byTime.slice(0, -1).map((line) => line.slice(0, line.indexOf(' '))), ['worker_busy.py:10:12', 'sizes.py:10:12']);
      const json = JSON.parse(check('--format', 'json', '--sort', 'time').stdout) as { sites: { file: string; line: number; observed: { calls: number; timeNs: number } | null }[] };
      // The recorded sites by time spent, most first; then the others in file order.
      const recorded = json.sites.filter((s) => s.observed !== null);
      assert.deepEqual(recorded.map((s) => s.observed!.timeNs), recorded.map((s) => s.observed!.timeNs).sort((a, b) => b - a));
      assert.deepEqual([recorded.length, recorded[0].file, recorded[0].observed!.calls], [4, 'worker_busy.py', 600]);
      assert.deepEqual(json.sites.slice(4).map((s) => [s.file, s.observed]), json.sites.slice(4).map((s) => [s.file, null]));
      assert.doesNotMatch(check('--no-observed').stdout, /recorded/);
      // Recordings elsewhere, named on the command line; an unreadable one is a usage error.
      const other = join(fresh.root, 'elsewhere.json');
      const file = fresh.observed();
      file.files = { 'sizes.py': file.files['sizes.py'] };
      writeFileSync(other, serializeObserved(file));
      const named = check('--observed', other);
      assert.match(named.stdout, /sizes\.py:10:12 .*called 3 times/);
      assert.doesNotMatch(named.stdout, /worker_busy\.py.*called/);
      const broken = check('--observed', join(fresh.root, 'width.json'));
      assert.equal(broken.code, 2);
      assert.match(broken.stderr, /--observed: .*width\.json: format version undefined is not 1/);
    } finally {
      fresh.remove();
    }
  });

  it("records each library's calling convention: opt_einsum's contract and shapes, einops' pattern last", () => {
    const fresh = new RecordProject();
    try {
      // opt_einsum and einops stand-ins under site-packages/: their own einsum calls are not kept.
      const result = fresh.record(['--', python!, 'conventions.py', '6'], { env: { PYTHONPATH: join(fresh.root, 'site-packages') } });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(Object.keys(fresh.observed().files), ['conventions.py']);
      assert.deepEqual(
        fresh.sites('conventions.py').map((s) => [s.callee, s.line, signatures(s)]),
        [
          ['opt_einsum.contract', 12, ['ij,jk->ik [6,3] [3,4] x1']],
          ['opt_einsum.contract_expression', 13, ['ij,jk->ik [6,3] [3,4] x1']],
          ['einops.einsum', 15, ['batch inner, inner out -> batch out [6,3] [3,4] x1']],
          ['numpy.einsum', 16, ['ij,jk->ik [6,3] [3,4] x1']],
        ],
      );
      // Shapes given to contract_expression have no dtype; arrays do.
      assert.deepEqual(fresh.sites('conventions.py').map((s) => s.shapes[0].operands[0]), [
        { shape: [6, 3], dtype: 'float64' },
        { shape: [6, 3] },
        { shape: [6, 3], dtype: 'float64' },
        { shape: [6, 3], dtype: 'float64' },
      ]);
      const json = JSON.parse(runBin(['check', 'conventions.py', '--format', 'json'], { cwd: fresh.root }).stdout) as {
        sites: { callee: string; shapes: unknown; baseline: unknown; observed: { calls: number } | null }[];
      };
      // Every executed call priced, at the recorded sizes.
      assert.deepEqual(
        json.sites.map((s) => [s.callee, s.shapes, s.baseline !== null, s.observed?.calls]),
        [
          ['opt_einsum.contract', [[6, 3], [3, 4]], true, 1],
          ['opt_einsum.contract_expression', [[6, 3], [3, 4]], true, 1],
          ['einops.einsum', [[6, 3], [3, 4]], true, 1],
          ['numpy.einsum', [[6, 3], [3, 4]], true, 1],
        ],
      );
    } finally {
      fresh.remove();
    }
  });

  it("records the project's declared einsum wrappers where they are called, and the call inside as nested", () => {
    const fresh = new RecordProject();
    try {
      fresh.write('pyproject.toml', '[project]\nname = "recorded"\n\n[tool.einsight.einsum-functions]\n"mylib.ops.my_einsum" = "numpy.einsum"\n');
      const result = fresh.record(['--', python!, 'use_wrapper.py', '30']);
      assert.equal(result.code, 0, result.stderr);
      const [call] = fresh.sites('use_wrapper.py');
      assert.deepEqual([call.callee, call.line, call.text, call.nested, signatures(call)], [
        'mylib.ops.my_einsum',
        10,
        'my_einsum("ij,jk,kl->il", a, b, c)',
        undefined,
        ['ij,jk,kl->il [30,50] [50,40] [40,2] x2'],
      ]);
      const [inner] = fresh.sites('mylib/ops.py');
      assert.deepEqual([inner.callee, inner.nested, signatures(inner)], ['numpy.einsum', true, ['ij,jk,kl->il [30,50] [50,40] [40,2] x2']]);
      // The wrapper's call is priced at the recorded sizes; its time is all of the einsum time (the nested call is inside it).
      const json = JSON.parse(runBin(['check', 'use_wrapper.py', '--format', 'json'], { cwd: fresh.root }).stdout) as {
        sites: { shapes: unknown; observed: { calls: number; share: number } | null }[];
        findings: { code: string; message: string }[];
      };
      assert.deepEqual(json.sites.map((s) => [s.shapes, s.observed?.calls, s.observed?.share]), [[[[30, 50], [50, 40], [40, 2]], 2, 1]]);
      assert.match(json.findings[0].message, /at the recorded sizes; called 2 times, 100% of einsum time in the recorded run$/);
    } finally {
      fresh.remove();
    }
  });

  it('keeps at most 32 shapes per site, each with its count, and counts the calls at the others', () => {
    const fresh = new RecordProject();
    try {
      assert.equal(fresh.record(['--', python!, 'many_shapes.py']).code, 0);
      const [site] = fresh.sites('many_shapes.py');
      assert.equal(site.calls, 40);
      assert.equal(site.shapes.length, 32);
      assert.ok(site.shapes.every((s) => s.calls === 1));
      assert.deepEqual(site.otherShapes && site.otherShapes.calls, 8);
      // Merged with a second run, the bound still holds and no call is lost.
      assert.equal(fresh.record(['--', python!, 'many_shapes.py']).code, 0);
      const [merged] = fresh.sites('many_shapes.py');
      assert.deepEqual([merged.calls, merged.shapes.length, merged.shapes.reduce((n, s) => n + s.calls, 0) + merged.otherShapes!.calls], [80, 32, 80]);
    } finally {
      fresh.remove();
    }
  });

  it('records forked pool workers, a spawned process and threads, and passes the exit code through', () => {
    const fresh = new RecordProject();
    try {
      const result = fresh.record(['--', python!, 'workers.py', '3']);
      assert.equal(result.code, 3, result.stderr);
      const [site] = fresh.sites('workers.py');
      // 10 calls in the pool's workers, 5 in the spawned process, 4 × 100 in threads: none lost, none twice.
      assert.equal(site.calls, 415);
      assert.deepEqual(signatures(site), ['ij,kj->ik [2,3] [2,3] x405', 'ij,kj->ik [4,3] [4,3] x10']);
      assert.equal(fresh.observed().runs[0].processes, 4);
    } finally {
      fresh.remove();
    }
  });

  it('passes a death by signal through as 128+N, and says when the command cannot start', () => {
    const killed = project.record(['--', python!, '-c', 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)']);
    assert.equal(killed.code, 143);
    const missing = project.record(['--', 'no-such-program-einsight']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /cannot run 'no-such-program-einsight': no such program/);
    assert.equal(project.record([]).code, 2);
  });

  it('runs a script with --python, writes to --out, and leaves the command its own --help', () => {
    const out = join(project.root, 'elsewhere', 'rec.json');
    const result = project.record(['--python', python!, '--out', out, 'sizes.py', '1', 'width.json']);
    assert.equal(result.code, 0, result.stderr);
    // Paths in a file outside .einsight/ are relative to the file's folder.
    assert.ok(JSON.parse(readFileSync(out, 'utf8')).files['../sizes.py']);
    const help = project.record(['--', python!, '-c', 'import sys; print(sys.argv[1:])', '--help']);
    assert.equal(help.stdout, "['--help']\n");
    assert.match(project.record(['--help']).stdout, /^usage: einsight record/);
  });

  it('chains to the sitecustomize it hides, and keeps only calls from files under the project root', () => {
    mkdirSync(join(project.root, 'custom'), { recursive: true });
    project.write('custom/sitecustomize.py', 'import os\nos.environ["HIDDEN_SITECUSTOMIZE_RAN"] = "yes"\n');
    const program = 'import os, numpy as np; np.einsum("i,i->", np.ones(3), np.ones(3)); print(os.environ.get("HIDDEN_SITECUSTOMIZE_RAN"))';
    const result = project.record(['--', python!, '-c', program], { env: { PYTHONPATH: join(project.root, 'custom') } });
    assert.equal(result.stdout, 'yes\n');
    // `-c` code has no file under the project: nothing of it is kept.
    assert.match(result.stderr, /no contraction call was recorded/);
  });

  it("caches the recorder's bytecode in its own temporary folder, even under PYTHONDONTWRITEBYTECODE, and none of the project's", () => {
    const fresh = new RecordProject();
    try {
      fresh.write('helper_mod.py', 'VALUE = 1\n');
      const program = 'import os, sys, numpy, helper_mod\nrecorder = sys.modules["_einsight_recorder"]\nprint(os.path.exists(recorder.__cached__), os.path.isdir("__pycache__"))\n';
      fresh.write('cache_check.py', program);
      const result = fresh.record(['--', python!, 'cache_check.py'], { env: { PYTHONDONTWRITEBYTECODE: '1' } });
      assert.equal(result.code, 0, result.stderr);
      // Later processes of the run load the recorder compiled; the user's setting holds for their files.
      assert.equal(result.stdout, 'True False\n');
    } finally {
      fresh.remove();
    }
  });

  it('records from a sub-folder into the project root, and without columns where Python gives none', () => {
    const fresh = new RecordProject();
    try {
      mkdirSync(join(fresh.root, 'sub'));
      writeFileSync(join(fresh.root, 'sub', 'run.py'), 'import numpy as np\nnp.einsum("ij->", np.ones((2, 3)))\n');
      const result = fresh.record(['--', python!, '-X', 'no_debug_ranges', 'run.py'], { folder: 'sub' });
      assert.equal(result.code, 0, result.stderr);
      const [site] = fresh.sites('sub/run.py');
      assert.equal(site.line, 2);
      assert.equal(site.column, undefined);
      assert.deepEqual(signatures(site), ['ij-> [2,3] x1']);
      assert.ok(!existsSync(join(fresh.root, 'sub', '.einsight')));
    } finally {
      fresh.remove();
    }
  });

  it('records pytest runs (and pytest-xdist workers): parametrized tests at each shape, calls inside asserts, which check then uses', { skip: pytestPythons.length === 0 && 'no Python with numpy and pytest' }, () => {
    const source = [
      'import numpy as np',
      'import pytest',
      '',
      '',
      'def project(x, w, b):',
      '    return np.einsum("bi,ij,j->bj", x, w, b)',
      '',
      '',
      '@pytest.mark.parametrize("batch", [3, 5])',
      'def test_project(batch):',
      '    x, w = np.ones((batch, 4)), np.ones((4, 4))',
      '    assert np.einsum("bi,ij->bj", x, w).shape == (batch, 4)',
      '    assert project(x, w, np.ones(4)).shape == (batch, 4)',
      '',
    ].join('\n');
    // Every interpreter with pytest here: pytest 8 and later keep each call's columns in rewritten
    // asserts, older ones (Debian's 7) place the call at its assert statement.
    for (const python of pytestPythons) {
      const xdist = spawnSync(python, ['-c', 'import xdist'], { stdio: 'ignore' }).status === 0;
      const fresh = new RecordProject();
      try {
        mkdirSync(join(fresh.root, 'tests'));
        fresh.write('tests/test_model.py', source);
        const pytest = [python, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...(xdist ? ['-n', '2'] : []), 'tests'];
        const result = fresh.record(['--', ...pytest]);
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /2 passed/);
        const sites = fresh.sites('tests/test_model.py').sort((a, b) => a.line - b.line);
        assert.deepEqual(
          sites.map((s) => [s.line, signatures(s).sort()]),
          [
            [6, ['bi,ij,j->bj [3,4] [4,4] [4] x1', 'bi,ij,j->bj [5,4] [4,4] [4] x1']],
            [12, ['bi,ij->bj [3,4] [4,4] x1', 'bi,ij->bj [5,4] [4,4] x1']],
          ],
          python,
        );
        if (xdist) assert.equal(fresh.observed().runs[0].processes, 2, `${python}: a process per xdist worker`);
        const checked = JSON.parse(runBin(['check', 'tests', '--format', 'json'], { cwd: fresh.root }).stdout) as { sites: { line: number; observed: { calls: number } | null }[] };
        assert.deepEqual(checked.sites.map((s) => [s.line, s.observed?.calls ?? null]), [[6, 2], [12, 2]], python);
        // pytest's own exit status (5: no tests collected) comes back unchanged.
        assert.equal(fresh.record(['--', ...pytest, '-k', 'no_such_test']).code, 5);
      } finally {
        fresh.remove();
      }
    }
  });

  it('records torch: a list of operands, each product of a matrix chain, and torch.jit.script still compiles', { skip: torchPython === null && 'no torch' }, () => {
    const fresh = new RecordProject();
    try {
      const result = fresh.record(['--sync', '--', torchPython!, 'torch_sites.py', '4']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '((4, 2), (4, 16))\n');
      const sites = fresh.sites('torch_sites.py');
      assert.deepEqual(
        sites.map((s) => [s.callee, s.line, s.text, signatures(s)]),
        [
          ['torch.einsum', 18, 'torch.einsum("ij,jk,kl->il", [a, b, c])', ['ij,jk,kl->il [4,8] [8,16] [16,2] x2']],
          ['operator.matmul', 19, 'a @ b', ['null [4,8] [8,16] x1']],
          ['operator.matmul', 19, 'a @ b @ c', ['null [4,16] [16,2] x1']],
        ],
      );
      assert.deepEqual(sites[0].shapes[0].operands[0], { shape: [4, 8], dtype: 'float32', device: 'cpu' });
    } finally {
      fresh.remove();
    }
  });
});
