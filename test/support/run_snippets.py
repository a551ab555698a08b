"""Runs original and rewritten Python snippets and compares what they compute.

Reads a JSON list of {"id", "original", "rewritten", "requires"} on stdin and writes one JSON
object per snippet on stdout: {"id", "status": "passed" | "failed" | "skipped", "detail"}.

Each version runs in a fresh namespace after the random generators are seeded the same way,
so both draw the same random inputs only if they evaluate their operands in the same order and
the same number of times. The value compared is the snippet's `result` (arrays, tensors,
numbers, or tuples/lists/dicts of them), followed by one more random draw per generator, which
exposes a call made twice or skipped.
"""
import json
import sys
import traceback

import numpy as np

SEED = 1234


def import_optional(name):
    try:
        return __import__(name)
    except Exception:  # an absent or broken install is a skip, not a failure
        return None


torch = import_optional("torch")
AVAILABLE = {"numpy": np, "torch": torch}


def seed_all():
    np.random.seed(SEED)
    if torch is not None:
        torch.manual_seed(SEED)


def trailing_draws():
    draws = [np.random.rand()]
    if torch is not None:
        draws.append(float(torch.rand(())))
    return draws


def run(source):
    seed_all()
    namespace = {"__name__": "__snippet__"}
    exec(compile(source, "<snippet>", "exec"), namespace)
    if "result" not in namespace:
        raise AssertionError("the snippet defines no `result`")
    return namespace["result"], trailing_draws()


def to_array(value):
    if torch is not None and isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def compare(a, b, path="result"):
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or a.keys() != b.keys():
            return f"{path}: different keys"
        for key in a:
            problem = compare(a[key], b[key], f"{path}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        if not isinstance(a, (tuple, list)) or not isinstance(b, (tuple, list)) or len(a) != len(b):
            return f"{path}: different lengths"
        for i, (x, y) in enumerate(zip(a, b)):
            problem = compare(x, y, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(a, (str, bytes, type(None))) or isinstance(b, (str, bytes, type(None))):
        return None if a == b else f"{path}: {a!r} and {b!r}"
    x, y = to_array(a), to_array(b)
    if x.shape != y.shape:
        return f"{path}: shapes {x.shape} and {y.shape}"
    if not np.allclose(x, y, rtol=1e-5, atol=1e-6):
        return f"{path}: values differ by up to {np.max(np.abs(x - y))}"
    return None


def check(snippet):
    missing = [name for name in snippet.get("requires", []) if AVAILABLE.get(name, import_optional(name)) is None]
    if missing:
        return "skipped", f"{', '.join(missing)} not importable in {sys.executable}"
    try:
        original = run(snippet["original"])
    except Exception:
        return "failed", "the original raised:\n" + traceback.format_exc(limit=3)
    try:
        rewritten = run(snippet["rewritten"])
    except Exception:
        return "failed", "the rewrite raised:\n" + traceback.format_exc(limit=3)
    if snippet["original"] == snippet["rewritten"]:
        return "failed", "the rewrite is identical to the original"
    problem = compare(original[0], rewritten[0]) or compare(original[1], rewritten[1], "random draws after the run")
    return ("failed", problem) if problem else ("passed", "")


def main():
    snippets = json.load(sys.stdin)
    for snippet in snippets:
        status, detail = check(snippet)
        print(json.dumps({"id": snippet["id"], "status": status, "detail": detail}), flush=True)


if __name__ == "__main__":
    main()
