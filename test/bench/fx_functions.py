"""Forty torch functions for comparing einsight's rewrites with opt_einsum_fx's passes.

Every function takes its tensors as arguments; SHAPES gives example shapes for each (the
benchmark writes them into einsight shape hints and passes them to torch.fx as example inputs).
Patterns: einsum chains (fusion), scalar factors on inputs, intermediates and results,
multi-operand contractions (ordering), attention-like contractions, matrix-product chains.
"""
import math

import torch


def two_chain(x, y, v):
    h = torch.einsum('ij,jk->ik', x, y)
    return torch.einsum('ik,k->i', h, v)


def chain_scalar_between(x, y, z):
    a = torch.einsum('ij,jk->ik', x, y) * 3.0
    return torch.einsum('ik,kl->il', a, z) / 2


def attention_scores(q, k):
    return torch.einsum('bqd,bkd->bqk', q, k) / math.sqrt(64)


def attention_scaled_query(q, k):
    return torch.einsum('bqd,bkd->bqk', q * 0.125, k)


def three_operands(a, b, c):
    return torch.einsum('ij,jk,kl->il', a, b, c)


def four_operands(a, b, c, d):
    return torch.einsum('ab,bc,cd,de->ae', a, b, c, d)


def bilinear(x, w, y):
    return torch.einsum('bi,ij,bj->b', x, w, y)


def result_scaled_large(x, y):
    return torch.einsum('ij,jk->ik', x, y) * 2.0


def nested_chain(a, b, v):
    return torch.einsum('ik,k->i', torch.einsum('ij,jk->ik', a, b), v)


def three_chain(a, b, c, v):
    h1 = torch.einsum('ij,jk->ik', a, b)
    h2 = torch.einsum('ik,kl->il', h1, c)
    return torch.einsum('il,l->i', h2, v)


def chain_inputs_scaled(x, y, v):
    h = torch.einsum('ij,jk->ik', x * 2.0, y)
    return torch.einsum('ik,k->i', h, v / 4.0)


def transposed_scaled(x, y):
    return torch.einsum('ij,jk->ik', (x * 2.0).t(), y)


def outer_then_contract(u, v, w):
    h = torch.einsum('i,j->ij', u, v)
    return torch.einsum('ij,jk->ik', h, w)


def batched_chain(a, b, c):
    h = torch.einsum('bij,bjk->bik', a, b)
    return torch.einsum('bik,bkl->bil', h, c)


def tensor_network(a, b, c):
    return torch.einsum('abc,cd,dbe->ae', a, b, c)


def mps_like(a, b, c):
    return torch.einsum('ab,bcd,de->ace', a, b, c)


def trace_then_vector(a, b):
    return torch.einsum('ii,ij->j', a, b)


def full_contraction(a, b):
    return torch.einsum('ij,ij->', a, b) * 0.5


def both_inputs_divided(x, y):
    return torch.einsum('ij,jk->ik', x / 2.0, y / 4.0)


def intermediate_used_twice(x, y, v):
    h = torch.einsum('ij,jk->ik', x, y)
    return torch.einsum('ik,k->i', h, v) + h.sum(1)


def matmul_scaled_then_einsum(x, w, v):
    h = (x @ w) * 0.5
    return torch.einsum('ik,k->i', h, v)


def matmul_chain(a, b, v):
    return a @ b @ v


def matmul_chain_divided(a, b, v):
    return a @ b / 2 @ v


def nested_matmul_calls(a, b, c):
    return torch.matmul(torch.matmul(a, b), c)


def four_operands_scaled(a, b, c, d):
    return torch.einsum('ij,jk,kl,lm->im', a * 0.5, b, c, d)


def five_operand_network(a, b, c, d, e):
    return torch.einsum('ab,bc,cd,de,ef->af', a, b, c, d, e)


def chain_three_scalars(a, b, c, v):
    h1 = torch.einsum('ij,jk->ik', a, b) * 0.5
    h2 = torch.einsum('ik,kl->il', h1, c) / 4.0
    return torch.einsum('il,l->i', h2, v) * 3.0


def integer_factor(x, y):
    return torch.einsum('ij,jk->ik', x * 2, y)


def mul_function_factor(x, y):
    return torch.einsum('ij,jk->ik', torch.mul(x, 0.5), y)


def middle_of_three_divided(a, b, c, v):
    h1 = torch.einsum('ij,jk->ik', a, b)
    h2 = torch.einsum('ik,kl->il', h1, c) / 8.0
    return torch.einsum('il,l->i', h2, v)


def linear_attention(q, k, v):
    scores = torch.einsum('bhqd,bhkd->bhqk', q, k) / math.sqrt(16)
    return torch.einsum('bhqk,bhke->bhqe', scores, v)


def outer_then_reduce(a, b, c):
    h = torch.einsum('ab,cd->abcd', a, b)
    return torch.einsum('abcd,bd->ac', h, c)


def bilinear_scaled(x, w, y):
    return torch.einsum('bi,ij,bj->b', x, w * 0.1, y)


def repeated_operand(a, b):
    return torch.einsum('ij,jk,kl->il', a, b, a)


def matrix_vector_chain(a, b, v):
    return torch.einsum('ij,jk,k->i', a, b, v)


def hadamard_three(a, b, c):
    return torch.einsum('ij,ij,ij->i', a, b, c)


def dot_scaled(u, v):
    return torch.einsum('i,i->', u, v) * 2.0


def wide_batch_chain(x, w1, w2):
    return torch.einsum('bn,nm,mk->bk', x, w1, w2)


def chain_each_scaled(a, b, c, v):
    h1 = torch.einsum('ij,jk->ik', a * 2.0, b)
    h2 = torch.einsum('ik,kl->il', h1, c * 0.5)
    return torch.einsum('il,l->i', h2, v) / 3.0


def scaled_consumer_operand(x, y, z):
    a = torch.einsum('ij,jk->ik', x, y)
    return torch.einsum('ik,kl->il', a, z * 4.0)


SHAPES = {
    'two_chain': [(40, 40), (40, 40), (40,)],
    'chain_scalar_between': [(8, 40), (40, 40), (40, 2)],
    'attention_scores': [(2, 64, 64), (2, 8, 64)],
    'attention_scaled_query': [(2, 64, 16), (2, 8, 16)],
    'three_operands': [(40, 40), (40, 40), (40, 2)],
    'four_operands': [(40, 40), (40, 40), (40, 40), (40, 2)],
    'bilinear': [(32, 64), (64, 64), (32, 64)],
    'result_scaled_large': [(64, 2), (2, 64)],
    'nested_chain': [(40, 40), (40, 40), (40,)],
    'three_chain': [(30, 30), (30, 30), (30, 30), (30,)],
    'chain_inputs_scaled': [(40, 40), (40, 40), (40,)],
    'transposed_scaled': [(32, 64), (32, 4)],
    'outer_then_contract': [(30,), (30,), (30, 30)],
    'batched_chain': [(4, 30, 30), (4, 30, 30), (4, 30, 2)],
    'tensor_network': [(10, 12, 14), (14, 16), (16, 12, 8)],
    'mps_like': [(8, 16), (16, 4, 16), (16, 8)],
    'trace_then_vector': [(30, 30), (30, 30)],
    'full_contraction': [(40, 40), (40, 40)],
    'both_inputs_divided': [(64, 32), (32, 4)],
    'intermediate_used_twice': [(30, 30), (30, 30), (30,)],
    'matmul_scaled_then_einsum': [(40, 40), (40, 40), (40,)],
    'matmul_chain': [(40, 50), (50, 60), (60,)],
    'matmul_chain_divided': [(40, 50), (50, 60), (60,)],
    'nested_matmul_calls': [(40, 50), (50, 60), (60, 2)],
    'four_operands_scaled': [(10, 50), (50, 2), (2, 50), (50, 10)],
    'five_operand_network': [(3, 30), (30, 30), (30, 2), (2, 30), (30, 4)],
    'chain_three_scalars': [(30, 30), (30, 30), (30, 30), (30,)],
    'integer_factor': [(64, 32), (32, 4)],
    'mul_function_factor': [(64, 32), (32, 4)],
    'middle_of_three_divided': [(30, 30), (30, 30), (30, 30), (30,)],
    'linear_attention': [(2, 4, 64, 16), (2, 4, 64, 16), (2, 4, 64, 16)],
    'outer_then_reduce': [(8, 8), (8, 8), (8, 8)],
    'bilinear_scaled': [(32, 64), (64, 64), (32, 64)],
    'repeated_operand': [(40, 40), (40, 40)],
    'matrix_vector_chain': [(40, 40), (40, 40), (40,)],
    'hadamard_three': [(40, 40), (40, 40), (40, 40)],
    'dot_scaled': [(100,), (100,)],
    'wide_batch_chain': [(256, 64), (64, 64), (64, 2)],
    'chain_each_scaled': [(30, 30), (30, 30), (30, 30), (30,)],
    'scaled_consumer_operand': [(8, 40), (40, 40), (40, 40)],
}
