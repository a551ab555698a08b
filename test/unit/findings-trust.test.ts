/**
 * Findings on real code state only what holds (issue #12): one minimal fixture per class of
 * wrong or noisy finding seen on public scientific and ML code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from 'einsight-server/analysis/evaluate';
import type { AnalysisOptions, FileAnalysis, Finding, ShapeSource, SiteSyntax } from 'einsight-server/analysis/model';
import { allQuickFixes, analyze, applied, tagOf } from '../support/rewrite-harness';
import { parsePythonFixture } from '../support/python-fixtures';
import { MeasureError, checkProblem, problemFromContraction } from 'einsight-server/measure/problem';

async function check(source: string, options: AnalysisOptions = {}): Promise<{ analysis: FileAnalysis; findings: Finding[]; text: string; at: (name: string) => Finding[] }> {
  const fixture = parsePythonFixture(source);
  const analysis = await analyze(fixture.text, options);
  const at = (name: string) => {
    const range = fixture.range(name);
    return analysis.findings.filter((f) => f.range.start >= range.start && f.range.end <= range.end);
  };
  return { analysis, findings: analysis.findings, text: fixture.text, at };
}

const codes = (findings: Finding[]) => findings.map((f) => f.code);

describe('counting artefacts', () => {
  it("reports nothing for two operands: 'ik,jk->ijk' has no order to choose (opt_einsum's naive count says 2x)", async () => {
    const { findings } = await check(`import numpy as np
a = np.ones((30, 40))
b = np.ones((50, 40))
c = np.einsum('ik,jk->ijk', a, b)
`);
    assert.deepEqual(codes(findings), []);
  });
});

describe('claims with symbolic sizes', () => {
  it('states the condition a claim depends on, and offers only the size-adaptive fix', async () => {
    const { findings, analysis, text } = await check(`import numpy as np


def contract(a, b, c):
    return np.einsum('ij,jk,kl->il', a, b, c)
`);
    assert.equal(findings.length, 1);
    assert.equal(
      findings[0].message,
      'numpy.einsum without optimize runs one loop over every index: O(i·j·k·l); the best path (optimal) needs O(i·j·k + i·k·l), fewer when j, l ≥ 2 (not at every size: no fixed order is offered)',
    );
    assert.equal(findings[0].condition, 'j, l ≥ 2');
    assert.deepEqual(allQuickFixes(analysis, text).map(tagOf), ['adaptive']);
  });

  it('claims "at every size" only when proven, and then fixes the path', async () => {
    const { findings, analysis, text } = await check(`import numpy as np
# einsight: a[N, 64] float64 b[64, 64] float64 v[64] float64
x = np.einsum("ij,jk,k->i", a, b, v)
`);
    assert.equal(
      findings[0].message,
      'numpy.einsum without optimize runs one loop over every index: O(N); the best path (optimal) needs O(N), fewer at every size (2.00× fewer or better when N ≥ 2)',
    );
    assert.equal(findings[0].condition, null);
    assert.deepEqual(allQuickFixes(analysis, text).map(tagOf).sort(), ['optimize', 'pairwise']);
  });

  it('makes no claim against a path numpy searches at run time from sizes it does not know', async () => {
    const { findings } = await check(`import numpy as np


def energy(t2, eris, d):
    return np.einsum('ijab,abcd,cdij->', t2, eris, d, optimize=True)
`);
    assert.deepEqual(codes(findings), []);
  });

  it('honours the ranges given: no condition when the ranges exclude sizes of 1', async () => {
    const source = `import numpy as np
# einsight: a[nocc, nvir] b[nvir, nvir] c[nvir, nocc]
x = np.einsum("ia,ab,bj->ij", a, b, c)
`;
    const free = await check(source);
    const ranged = await check(source, { dimRanges: { nocc: { min: 2, max: 50 }, nvir: { min: 60, max: null } } });
    assert.match(free.findings[0].message, /fewer when nocc, nvir ≥ 2 \(not at every size: no fixed order is offered\)$/);
    assert.match(ranged.findings[0].message, /fewer at every size in the ranges given$/);
  });
});

describe('redundant findings', () => {
  it('no EIN004 where fusing gains nothing over each statement on its best path', async () => {
    const { findings } = await check(`import numpy as np


def energy(c, h, d):
    h1 = np.einsum('pi,ij,qj->pq', c, h, c)
    return np.einsum('pq,qp', h1, d)
`);
    assert.deepEqual(codes(findings), ['EIN001']);
  });
});

describe('chains with unknown sizes', () => {
  it("keeps two members' unknown sizes apart: the producer's i is not the consumer's i", async () => {
    const { findings } = await check(`import numpy as np


def f(s1, mo, x):
    s1mo = np.einsum('xij,ip,jq->xpq', s1, mo, mo)
    return np.einsum('xij,ij->x', s1mo, x)
`);
    assert.equal(
      findings.find((f) => f.code === 'EIN004')?.message,
      "2 einsums chained through s1mo fuse into 'xab,ai,bj,ij->x': O(a·b·j·x + a·i·j·x) with each on its best path → O(a·b·j + a·b·x + a·i·j), fewer when a, b, i, j, x ≥ 2 (not at every size: no fixed order is offered)",
    );
  });
});

describe('EIN007: only a real share of the call, never while tracing', () => {
  it('not for a large contraction in a loop: the search is a sliver of the call', async () => {
    const { findings } = await check(`import numpy as np
a = np.ones((500, 500))
for _ in range(10):
    x = np.einsum('ij,jk,kl->il', a, a, a, optimize=True)
`);
    assert.deepEqual(codes(findings), []);
  });

  it('not in a function that builds a torch.fx graph, nor under torch.jit.script', async () => {
    const { findings } = await check(`import opt_einsum
import torch
from torch import fx

# einsight: x[4, 4] y[4, 4] z[4, 4]


def build():
    graph = fx.Graph()
    for _ in range(3):
        out = torch.einsum('ij,jk,kl->il', x, y, z)
    return graph


@torch.jit.script
def forward(x, y, z):
    for _ in range(3):
        x = torch.einsum('ij,jk,kl->il', x, y, z)
    return x


def build_aliased():
    graph = NewGraph()
    for _ in range(3):
        out = torch.einsum('ij,jk,kl->il', x, y, z)
    return graph


def build_star():
    tracer = GraphAppendingTracer(None)
    for _ in range(3):
        out = torch.einsum('ij,jk,kl->il', x, y, z)
    return tracer
`.replace('from torch import fx\n', 'from torch import fx\nfrom torch.fx import Graph as NewGraph\nfrom torch.fx.proxy import *\n'));
    assert.deepEqual(codes(findings), []);
  });

  it('not with unknown sizes: the share is unknown', async () => {
    const { findings } = await check(`import numpy as np


def step(a, b, c):
    for _ in range(3):
        a = np.einsum('ij,jk,kl->il', a, b, c, optimize=True)
    return a
`);
    assert.deepEqual(codes(findings), []);
  });
});

describe('EIN002: valid input is valid', () => {
  it('accepts an empty equation with a scalar operand, and opt_einsum integer labels past 51', async () => {
    const { findings, analysis } = await check(`import numpy as np
import opt_einsum as oe
s = np.einsum('', 3.0)
x = np.ones((2, 3))
y = np.ones((3, 4))
z = oe.contract(x, (1000, 1001), y, (1001, 1002))
w = np.einsum(x, (1000, 1001), y, (1001, 1002))
`);
    // numpy really rejects labels past 51: the last call's error is right.
    assert.deepEqual(codes(findings), ['EIN002']);
    assert.match(findings[0].message, /sublist item 1000 .* use an integer from 0 to 51/);
    assert.deepEqual(analysis.sites[1].contraction?.output.length, 2);
  });

  it("takes any character as a label where opt_einsum parses the equation (jax, opt_einsum): flax's '...kh1d'", async () => {
    const { findings } = await check(`import jax.numpy as jnp
import numpy as np


def attend(weights, value):
    jax_ok = jnp.einsum('...hgqk,...kh1d->...qhgd', weights, value)
    return np.einsum('...hgqk,...kh1d->...qhgd', weights, value)
`);
    assert.deepEqual(findings.map((f) => f.message), ["invalid character '1': einsum labels are single letters"]);
  });
});

describe('severity by context', () => {
  it('says nothing inside pytest.raises or assertRaises: the error is the point of the test', async () => {
    const { findings } = await check(`import numpy as np
import pytest
import unittest
a = np.ones((2, 3))


def test_bad():
    with pytest.raises(ValueError):
        np.einsum('ij,jk->ik', a, a)


class T(unittest.TestCase):
    def test_bad(self):
        with self.assertRaises(ValueError):
            np.einsum('ij,j->', a, a)
        [|/*outside*/np.einsum('ij,j->', a, a)|]
`);
    assert.deepEqual(codes(findings), ['EIN003']);
  });

  it('reports cost findings in test code as hints, or not at all when asked', async () => {
    const source = `import numpy as np
A = np.ones((10, 100))
B = np.ones((100, 50))
C = np.ones((50, 5))
x = np.einsum('ij,jk,kl->il', A, B, C)
y = np.einsum('ij,jk,kl->il', A, B, C, optimize=False)
`;
    const plain = await check(source);
    assert.deepEqual(plain.findings.map((f) => [f.code, f.severity]), [['EIN001', 'warning'], ['EIN001', 'warning']]);
    const test = await check(source, { testFile: true });
    // An explicit optimize=False in a test is deliberate (it checks the paths against the loop).
    assert.deepEqual(test.findings.map((f) => [f.code, f.severity]), [['EIN001', 'hint']]);
    const off = await check(source, { testFile: true, testSeverity: 'off' });
    assert.deepEqual(codes(off.findings), []);
  });
});

describe('wrappers count as einsums', () => {
  it('functools.partial aliases, forwarding functions, declared functions and pytest.importorskip', async () => {
    const source = `import functools
import numpy
import pytest
from pyscf import lib
np = pytest.importorskip("numpy")
A = np.ones((10, 100))
B = np.ones((100, 50))
C = np.ones((50, 5))
greedy = functools.partial(numpy.einsum, optimize='greedy')


def forwarded(eq, *ops, optimize=False, **kw):
    """Forwards everything."""
    return numpy.einsum(eq, *ops, optimize=optimize, **kw)


[|/*imported*/x1 = np.einsum('ij,jk,kl->il', A, B, C)|]
[|/*partial*/x2 = greedy('ij,jk,kl->il', A, B, C)|]
[|/*forwarding*/x3 = forwarded('ij,jk,kl->il', A, B, C)|]
[|/*declared*/x4 = lib.einsum('ij,jk,kl->il', A, B, C)|]
`;
    const { at, analysis, text } = await check(source, { einsumFunctions: { 'pyscf.lib.einsum': 'numpy.einsum(optimize=True)' } });
    assert.deepEqual(codes(at('imported')), ['EIN001']);
    // greedy at run time on known sizes: 105,000 FLOPs against the optimum's 60,000, under 2x.
    assert.deepEqual(codes(at('partial')), []);
    assert.deepEqual(codes(at('forwarding')), ['EIN001']);
    assert.deepEqual(codes(at('declared')), []);
    const vias = analysis.sites.map((s) => s.via ?? null);
    assert.ok(vias.includes('functools.partial of numpy.einsum'));
    assert.ok(vias.includes('forwarded, which forwards to numpy.einsum'));
    assert.ok(vias.includes('pyscf.lib.einsum, declared as numpy.einsum'));
    const declared = analysis.sites.find((s) => s.via?.startsWith('pyscf'))!;
    assert.equal(declared.baseline?.optimizer, 'greedy');
    // A call through a wrapper is never rewritten: the rewrite would bypass the wrapper.
    const fixed = allQuickFixes(analysis, text).map((f) => f.edits[0].range.start);
    const forwardedSite = analysis.sites.find((s) => s.via?.startsWith('forwarded'))!;
    assert.ok(!fixed.some((start) => start >= forwardedSite.range.start && start < forwardedSite.range.end));
  });
});

describe("'...' of unknown rank", () => {
  it("keeps '...' in the reported equation and makes no cost claim", async () => {
    const { analysis, findings } = await check(`import numpy as np


def batched(a, b, c):
    return np.einsum('...ij,jk,kl->...il', a, b, c)
`);
    assert.equal(analysis.sites[0].normalizedEquation, '...ij,jk,kl->...il');
    assert.deepEqual(codes(findings), []);
  });

  it("prices '...' as one unknown size in every operand, never as no dimension at all", async () => {
    // Left out, '...' made 'ij,jk' first look best; with a batch of any size, 'jk,kl' first is.
    const { analysis } = await check(`import numpy as np


def batched(a, b, c):
    return np.einsum('...ij,jk,kl->...il', a, b, c)
`);
    const [site] = analysis.sites;
    assert.equal(site.baseline?.flopsExpression, '3·i·j·k·l·…');
    assert.equal(site.best?.flopsExpression, '2·i·j·l·… + 2·j·k·l');
    assert.deepEqual(site.best?.steps?.map((s) => s.equation), ['kl,jk->lj', 'lj,...ij->...il']);
    // Measuring asks for the shapes, never for a size of '…' that no --dims can give.
    assert.throws(
      () => checkProblem(problemFromContraction(site.contraction!)),
      (e: unknown) => e instanceof MeasureError && e.code === 'invalid' && e.message.startsWith("measuring needs the shape of each operand with '...'"),
    );
  });

  it("has no cost where one operand's '...' is known and another's is not (how they broadcast is unknown)", async () => {
    const { analysis, findings } = await check(`import numpy as np


def batched(b, c):
    a = np.ones((2, 3, 4, 5))
    return np.einsum('...ij,...jk,kl->...il', a, b, c)
`);
    assert.equal(analysis.sites[0].contraction, null);
    assert.equal(analysis.sites[0].best, null);
    assert.deepEqual(codes(findings), []);
  });
});

describe('EIN003 only on certain knowledge', () => {
  function site(shapes: { dims: number[]; kind: string }[]): SiteSyntax {
    const range = { start: 0, end: 1 };
    return {
      id: 0,
      kind: 'einsum',
      library: 'numpy',
      callee: 'np.einsum',
      qualifiedName: 'numpy.einsum',
      calleeRange: range,
      range,
      statementRange: range,
      equation: { form: 'string', text: 'ij,jk->ik', dynamic: false, range, charRanges: null },
      operands: shapes.map(({ dims, kind }, i) => {
        // A kind the front ends may add later (a recorded run's `observed` shapes) is not certain.
        const source = { kind: kind as ShapeSource['kind'], range: null, detail: `operand ${i}` };
        return { text: `x${i}`, range, shape: { dims, source, dimSources: dims.map(() => source) } };
      }),
      dynamic: false,
      options: {},
      context: { scope: '<module>', inLoop: false, inForward: false },
      matmulTree: null,
      precompiled: false,
      ignored: null,
    };
  }
  const run = (s: SiteSyntax) =>
    evaluate({ language: 'python', sites: [s], flow: { links: [], scalars: new Map() }, syntaxErrors: [], notes: [], importsOptEinsum: false }, {});

  it('fires when both conflicting shapes are facts of the code', () => {
    const analysis = run(site([{ dims: [2, 3], kind: 'constructor' }, { dims: [4, 5], kind: 'hint' }]));
    assert.deepEqual(codes(analysis.findings), ['EIN003']);
  });

  it('sets aside a shape that is not certain instead of reporting an error from it', () => {
    const analysis = run(site([{ dims: [2, 3], kind: 'constructor' }, { dims: [4, 5], kind: 'observed' }]));
    assert.deepEqual(codes(analysis.findings), []);
    assert.deepEqual(analysis.sites[0].contraction?.sizes.map((s) => s.symbol ?? s.value), [2, 3, 'k']);
  });
});

describe('equal FLOPs: the smaller largest intermediate', () => {
  it('A(2,3) B(3,6) C(6,3): both orders cost 144 FLOPs; the fix contracts B·C first (9 elements, not 12)', async () => {
    const { analysis, text } = await check(`import numpy as np
A = np.ones((2, 3))
B = np.ones((3, 6))
C = np.ones((6, 3))
x = np.einsum('ij,jk,kl->il', A, B, C)
`);
    assert.deepEqual(analysis.sites[0].best?.path, [[1, 2], [0, 1]]);
    const pairwise = allQuickFixes(analysis, text).find((f) => tagOf(f) === 'pairwise')!;
    assert.deepEqual(pairwise.edits.map((e) => e.newText), ["np.einsum('ij,jl->il', A, np.einsum('jk,kl->jl', B, C))"]);
  });
});

describe('the size-adaptive fix', () => {
  it('changes only the callee (arguments evaluated as written) and adds its helper once, after the imports', async () => {
    const text = '"""Doc."""\nimport numpy as np\n\n\ndef contract(a, b, c, out):\n    return np.einsum(\'ij,jk,kl->il\', a, b, c, out=out)\n';
    const analysis = await analyze(text);
    const fixes = allQuickFixes(analysis, text);
    assert.deepEqual(fixes.map((f) => f.title), ['Search the path once per shape (the best order depends on the sizes)']);
    const helper = [
      'import functools as _einsight_functools',
      'import numpy as _einsight_numpy',
      '',
      '',
      '# einsight: size-adaptive path, searched once per shape',
      '@_einsight_functools.lru_cache(maxsize=None)',
      'def _einsight_einsum_path(equation, optimize, *shapes):',
      '    operands = [_einsight_numpy.broadcast_to(0.0, shape) for shape in shapes]',
      '    if optimize is not None:',
      '        return _einsight_numpy.einsum_path(equation, *operands, optimize=optimize)[0]',
      "    # The call ran numpy's one loop: keep it where greedy's path would need more FLOPs.",
      "    path, report = _einsight_numpy.einsum_path(equation, *operands, optimize='greedy')",
      "    naive, optimized = (float(line.split(':')[1]) for line in report.splitlines() if 'FLOP count' in line)",
      '    return path if optimized < naive else False',
      '',
      '',
      'def _einsight_einsum(equation, *operands, optimize=None, **options):',
      "    # A path promotes pair by pair, one call all operands at once: the path only for one dtype, not float16.",
      '    dtypes = {_einsight_numpy.result_type(operand).name for operand in operands}',
      "    if len(dtypes) > 1 or 'float16' in dtypes:",
      '        return _einsight_numpy.einsum(equation, *operands, optimize=False if optimize is None else optimize, **options)',
      '    shapes = [_einsight_numpy.shape(operand) for operand in operands]',
      '    path = _einsight_einsum_path(equation, optimize, *shapes)',
      '    return _einsight_numpy.einsum(equation, *operands, optimize=path, **options)',
    ].join('\n');
    assert.equal(
      applied(text, fixes[0]),
      `"""Doc."""\nimport numpy as np\n${helper}\n\n\ndef contract(a, b, c, out):\n    return _einsight_einsum('ij,jk,kl->il', a, b, c, out=out)\n`,
    );
  });
});
