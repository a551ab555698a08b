"""Tensor-network contractions with numpy, as in quantum chemistry and physics codes.

Without `optimize`, np.einsum loops over every index at once: the four-index
transformation below scales as N^8 instead of N^5.
"""
import numpy as np

N = 10
BOND = 32
PHYS = 2


def four_index_transform(C, I):
    # The opt_einsum README's example: M_pqrs = C_pi C_qj I_ijkl C_rk C_sl
    # einsight: C[N, N] I[N, N, N, N]
    return np.einsum("pi,qj,ijkl,rk,sl->pqrs", C, C, I, C, C)


def mps_overlap():
    """<psi|psi> for a three-site matrix product state."""
    a = np.random.rand(PHYS, BOND)
    b = np.random.rand(BOND, PHYS, BOND)
    c = np.random.rand(BOND, PHYS)
    return np.einsum("ia,ajb,bk,ic,cjd,dk->", a, b, c, a, b, c, optimize="greedy")


def demo():
    C = np.random.rand(N, N)
    I = np.random.rand(N, N, N, N)
    return four_index_transform(C, I)
