"""Times opt_einsum 3.4's `optimal` for `npm run bench:paths`, the same way the Node side times ours.

Reads a JSON list of cases ({"id", "eq", "shapes"}) on stdin and writes, per case, the time of
`opt_einsum.paths.optimal` alone (index sets and size dict prepared beforehand, as contract_path
prepares them) and of a whole `contract_path(eq, *shapes, shapes=True, optimize="optimal")`:
parse, sizes, path, and the PathInfo with every step priced. Each time is the median over
batches of (batch time / calls per batch), batches sized to take at least a millisecond.
"""
import json
import sys
import time

import opt_einsum
from opt_einsum.paths import optimal

BATCH_S = 0.001
CASE_S = 0.02
MIN_BATCHES = 3
MAX_BATCHES = 50
SLOW_CALL_S = 0.2


def median_call_s(call):
    started = time.perf_counter()
    call()
    first = time.perf_counter() - started
    if first > SLOW_CALL_S:
        # Seconds per call (9 operands): three calls in all, the first one included.
        times = [first]
        for _ in range(2):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        return sorted(times)[1]
    per_batch = max(1, int(BATCH_S / max(first, 1e-7)))
    times = []
    spent = 0.0
    while len(times) < MAX_BATCHES and (spent < CASE_S or len(times) < MIN_BATCHES):
        started = time.perf_counter()
        for _ in range(per_batch):
            call()
        elapsed = time.perf_counter() - started
        times.append(elapsed / per_batch)
        spent += elapsed
    times.sort()
    return times[len(times) // 2]


def main():
    results = []
    for case in json.load(sys.stdin):
        eq = case["eq"]
        shapes = [tuple(shape) for shape in case["shapes"]]
        terms, output = eq.split("->")
        terms = terms.split(",")
        inputs = [set(term) for term in terms]
        sizes = {}
        for term, shape in zip(terms, shapes):
            for label, size in zip(term, shape):
                sizes[label] = max(sizes.get(label, 1), size)
        output_set = set(output)
        alone = median_call_s(lambda: optimal(inputs, output_set, sizes))
        whole = median_call_s(lambda: opt_einsum.contract_path(eq, *shapes, shapes=True, optimize="optimal"))
        results.append({"id": case["id"], "alone_ms": alone * 1e3, "e2e_ms": whole * 1e3})
    json.dump({"version": opt_einsum.__version__, "python": sys.version.split()[0], "results": results}, sys.stdout)


main()
