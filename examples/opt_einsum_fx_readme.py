"""The example from opt_einsum_fx's README, with its shapes.

opt_einsum_fx rewrites this torch.fx graph to contract `b` with `vec` first. torch
without opt_einsum installed contracts left to right (a with b first), which costs
twice the FLOPs; with opt_einsum installed torch finds the better path itself, at
every call.
"""
import torch


def einmatvecmul(a, b, vec):
    """Batched matrix-matrix-vector product using einsum"""
    # einsight: a[7, 4, 5] b[7, 5, 3] vec[7, 3]
    return torch.einsum("zij,zjk,zk->zi", a, b, vec)


def scaled(x, y):
    """The README's scalar example: the factor is better applied to the smaller tensor."""
    # einsight: x[100, 2] y[2, 100]
    return 3.0 * torch.einsum("ij,jk->ik", x, y)
