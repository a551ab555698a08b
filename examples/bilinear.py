"""A biaffine scorer (Dozat & Manning's dependency parser), in numpy and in torch.

numpy's einsum without `optimize` runs one loop over all six indices at once; a
pairwise path is fifty times cheaper. The torch module contracts left to right,
which happens to be a good order here, so it is not reported. The bilinear form at
the end multiplies the two matrices first, where a matrix-vector product would do.
"""
import numpy as np
import torch
from torch import nn

BATCH = 16
WORDS = 40
HIDDEN = 256
LABELS = 8


def biaffine_scores(heads, deps, weight):
    # einsight: heads[BATCH, WORDS, HIDDEN] deps[BATCH, WORDS, HIDDEN] weight[LABELS, HIDDEN, HIDDEN]
    return np.einsum("bxi,oij,byj->boxy", heads, weight, deps)


class Biaffine(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(LABELS, HIDDEN, HIDDEN))

    def forward(self, heads, deps):
        # einsight: heads[BATCH, WORDS, HIDDEN] deps[BATCH, WORDS, HIDDEN]
        return torch.einsum("bxi,oij,byj->boxy", heads, self.weight, deps)


def bilinear_form(x, w, y):
    """x^T W y for a batch of vectors: `x @ w @ y` with a matrix-vector order that matters."""
    # einsight: x[BATCH, 2048] w[2048, 2048] y[2048, 1]
    return x @ w @ y
