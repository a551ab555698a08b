"""How should a pairwise numpy step be spelled? numpy runs a plain `np.einsum(eq, a, b)` in its
own C loops (no BLAS); `optimize=True` first plans the (one-step) path and then hands
BLAS-shaped steps to tensordot/matmul; the pairwise rewrite of a call that passed `optimize=`
writes the step as the BLAS call itself: `np.matmul` for matrix, vector and batched products of
fresh C-ordered arrays, `np.tensordot` for the rest (views, subclasses, several summed indices).
This times them side by side, by size; "-" where a spelling does not apply.

Usage: python3 test/bench/pairwise_dispatch.py [--quick]
"""
import sys
import timeit

import numpy as np

QUICK = "--quick" in sys.argv

def strided(shape):
    """Every other row and column of an array twice the size: a view BLAS cannot take as it is."""
    return lambda rng: rng.random(tuple(2 * d for d in shape))[::2, ::2]


# (name, equation, operands for size n, np.matmul spelling or None, np.tensordot spelling or None)
CASES = [
    ("matrix @ matrix", "ij,jk->ik", lambda n: [(n, n), (n, n)],
     lambda a, b: np.matmul(a, b), lambda a, b: np.tensordot(a, b, axes=(1, 0))),
    ("strided views", "ij,jk->ik", lambda n: [strided((n, n)), strided((n, n))],
     lambda a, b: np.matmul(a, b), lambda a, b: np.tensordot(a, b, axes=(1, 0))),
    ("matrix @ vector", "ij,j->i", lambda n: [(n, n), (n,)],
     lambda a, b: np.matmul(a, b), lambda a, b: np.tensordot(a, b, axes=(1, 0))),
    ("batched matmul", "bij,bjk->bik", lambda n: [(8, n, n), (8, n, n)],
     lambda a, b: np.matmul(a, b), None),
    ("two indices summed", "ijk,jkl->il", lambda n: [(n, 8, n), (8, n, n)],
     None, lambda a, b: np.tensordot(a, b, axes=((1, 2), (0, 1)))),
    ("transposed result", "ij,jk->ki", lambda n: [(n, n), (n, n)],
     lambda a, b: np.matmul(a, b).transpose(1, 0), lambda a, b: np.tensordot(a, b, axes=(1, 0)).transpose(1, 0)),
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
    header = (f"{'case':20} {'n':>5} {'einsum':>12} {'optimize=True':>14} {'np.matmul':>12} {'np.tensordot':>13}"
              f" {'einsum/opt':>11} {'matmul/opt':>11} {'tensordot/opt':>14}")
    print(header)
    print("-" * len(header))
    for name, equation, operands, matmul, tensordot in CASES:
        for n in SIZES:
            if n > 256 and name == "two indices summed":
                continue
            rng = np.random.default_rng(0)
            a, b = (make(rng) if callable(make) else rng.random(make) for make in operands(n))
            expected = np.einsum(equation, a, b)
            assert np.allclose(np.einsum(equation, a, b, optimize=True), expected)
            plain = best_time(lambda: np.einsum(equation, a, b))
            optimized = best_time(lambda: np.einsum(equation, a, b, optimize=True))
            cells, ratios = [], []
            for spelling, width in ((matmul, 12), (tensordot, 13)):
                if spelling is None:
                    cells.append(f"{'-':>{width}}")
                    ratios.append(None)
                    continue
                assert np.allclose(spelling(a, b), expected)
                elapsed = best_time(lambda: spelling(a, b))
                cells.append(f"{elapsed * 1e6:>{width}.1f}")
                ratios.append(elapsed / optimized)
            ratio_cells = [f"{r:>10.2f}x" if r is not None else f"{'-':>11}" for r in ratios]
            print(
                f"{name:20} {n:>5} {plain * 1e6:>12.1f} {optimized * 1e6:>14.1f} {cells[0]} {cells[1]}"
                f" {plain / optimized:>10.2f}x {ratio_cells[0]} {ratio_cells[1]:>14}",
                flush=True,
            )


if __name__ == "__main__":
    main()
