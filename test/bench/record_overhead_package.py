"""Stands for an installed package calling einsum: the benchmark puts it outside the project root."""


def call_many(einsum, equation, tensors, calls):
    for _ in range(calls):
        einsum(equation, *tensors)
