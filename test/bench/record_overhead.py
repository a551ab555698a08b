"""Times wrapped contraction calls for `npm run bench:record` (run with and without the recorder).

usage: record_overhead.py LIBRARY OPERANDS CALLS REPEATS

Prints one JSON object: the CPU time per call in microseconds (the least over REPEATS rounds
of CALLS calls; CPU time, so that other processes on the machine do not count), for calls
made from this file (recorded when the recorder runs) and through a helper that stands for
an installed package (not recorded: the call site is outside the project).
"""
import json
import sys
import time

LETTERS = "abcdefghij"


def main():
    library, operands, calls, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    if library == "torch":
        import torch

        tensors = [torch.ones(2, 2) for _ in range(operands)]
        einsum = torch.einsum
    else:
        import numpy as np

        tensors = [np.ones((2, 2)) for _ in range(operands)]
        einsum = np.einsum
    # A chain of 2x2 matrices: i0i1,i1i2,... -> i0iN
    equation = ",".join(LETTERS[k] + LETTERS[k + 1] for k in range(operands)) + "->" + LETTERS[0] + LETTERS[operands]

    def project_calls():
        started = time.process_time()
        for _ in range(calls):
            einsum(equation, *tensors)
        return (time.process_time() - started) / calls * 1e6

    from record_overhead_package import call_many

    def package_calls():
        started = time.process_time()
        call_many(einsum, equation, tensors, calls)
        return (time.process_time() - started) / calls * 1e6

    project_calls()
    print(json.dumps({"project": min(project_calls() for _ in range(repeats)), "package": min(package_calls() for _ in range(repeats))}))


if __name__ == "__main__":
    main()
