"""How should a pairwise numpy step be spelled? numpy runs a plain `np.einsum(eq, a, b)` in its
own C loops (no BLAS); `optimize=True` first plans the (one-step) path and then hands
BLAS-shaped steps to tensordot/matmul; the pairwise rewrite of a call that passed `optimize=`
writes the step as the BLAS call itself (`np.tensordot` for matrix products, `np.matmul` for
batched ones), which skips the planning. This times them side by side, by size, with the other
BLAS spelling beside the rewrite's where both apply.

Usage: python3 test/bench/pairwise_dispatch.py [--quick]
"""
import sys
import timeit

import numpy as np

QUICK = "--quick" in sys.argv

# (name, equation, shapes for size n, the rewrite's BLAS call, the other BLAS spelling or None)
CASES = [
    ("matrix @ matrix", "ij,jk->ik", lambda n: [(n, n), (n, n)],
     lambda a, b: np.tensordot(a, b, axes=(1, 0)), lambda a, b: np.matmul(a, b)),
    ("matrix @ vector", "ij,j->i", lambda n: [(n, n), (n,)],
     lambda a, b: np.tensordot(a, b, axes=(1, 0)), lambda a, b: np.matmul(a, b)),
    ("batched matmul", "bij,bjk->bik", lambda n: [(8, n, n), (8, n, n)],
     lambda a, b: np.matmul(a, b), None),
    ("two indices summed", "ijk,jkl->il", lambda n: [(n, 8, n), (8, n, n)],
     lambda a, b: np.tensordot(a, b, axes=((1, 2), (0, 1))), None),
    ("transposed result", "ij,jk->ki", lambda n: [(n, n), (n, n)],
     lambda a, b: np.tensordot(a, b, axes=(1, 0)).transpose(1, 0), lambda a, b: np.matmul(a, b).T),
]
SIZES = [8, 32, 128, 512] if QUICK else [8, 16, 32, 64, 128, 256, 512, 1024]


def best_time(fn, budget=0.2):
    number, elapsed = 1, 0.0
    while elapsed < budget / 5:
        elapsed = timeit.timeit(fn, number=number)
        if elapsed < budget / 5:
            number *= 4
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def main():
    print(f"numpy {np.__version__}; times in microseconds per call (best of 5); ratios against np.einsum(..., optimize=True)")
    header = (f"{'case':20} {'n':>5} {'einsum':>12} {'optimize=True':>14} {'rewrite':>12} {'other BLAS':>12}"
              f" {'einsum/opt':>11} {'rewrite/opt':>12} {'other/opt':>10}")
    print(header)
    print("-" * len(header))
    for name, equation, shapes, rewrite, other in CASES:
        for n in SIZES:
            if n > 256 and name == "two indices summed":
                continue
            rng = np.random.default_rng(0)
            a, b = (rng.random(s) for s in shapes(n))
            expected = np.einsum(equation, a, b)
            assert np.allclose(np.einsum(equation, a, b, optimize=True), expected)
            assert np.allclose(rewrite(a, b), expected)
            plain = best_time(lambda: np.einsum(equation, a, b))
            optimized = best_time(lambda: np.einsum(equation, a, b, optimize=True))
            direct = best_time(lambda: rewrite(a, b))
            if other is not None:
                assert np.allclose(other(a, b), expected)
                alternative = best_time(lambda: other(a, b))
            cells = (f"{alternative * 1e6:>12.1f}", f"{alternative / optimized:>9.2f}x") if other is not None else (f"{'-':>12}", f"{'-':>10}")
            print(
                f"{name:20} {n:>5} {plain * 1e6:>12.1f} {optimized * 1e6:>14.1f} {direct * 1e6:>12.1f} {cells[0]}"
                f" {plain / optimized:>10.2f}x {direct / optimized:>11.2f}x {cells[1]}",
                flush=True,
            )


if __name__ == "__main__":
    main()
