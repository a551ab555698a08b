"""Multi-head attention written with einsum, as in many transformer implementations.

`einsight check examples/attention.py` points at the scale: dividing the scores by
sqrt(head_dim) touches batch*heads*seq*seq elements, while scaling the queries first
touches batch*heads*seq*head_dim - 16x fewer here.
"""
import math

import torch
from torch import nn

BATCH = 8
SEQ = 1024
HEADS = 16
HEAD_DIM = 64
MODEL_DIM = HEADS * HEAD_DIM


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Parameter(torch.randn(3, HEADS, HEAD_DIM, MODEL_DIM))
        self.out = nn.Parameter(torch.randn(MODEL_DIM, HEADS, HEAD_DIM))

    def forward(self, x):
        # einsight: x[BATCH, SEQ, MODEL_DIM]
        q, k, v = torch.einsum("bsm,thdm->tbhsd", x, self.qkv)
        # einsight: q[BATCH, HEADS, SEQ, HEAD_DIM] k[BATCH, HEADS, SEQ, HEAD_DIM] v[BATCH, HEADS, SEQ, HEAD_DIM]
        scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(HEAD_DIM)
        weights = scores.softmax(dim=-1)
        context = torch.einsum("bhqk,bhkd->bhqd", weights, v)
        return torch.einsum("bhqd,mhd->bqm", context, self.out)


def demo():
    x = torch.randn(BATCH, SEQ, MODEL_DIM)
    return SelfAttention()(x)
