"""Runs original and rewritten Python snippets and compares what they compute.

Reads a JSON list of {"id", "original", "rewritten", "requires"} on stdin and writes one JSON
object per snippet on stdout: {"id", "status": "passed" | "failed" | "skipped", "detail"}.

Each version runs in a fresh namespace after every global random generator (Python's `random`,
numpy's legacy global generator, torch's) is seeded the same way, so both draw the same random
inputs only if they evaluate their operands in the same order and the same number of times.
Compared afterwards: what it printed, the snippet's `result` (arrays, tensors, numbers, or tuples/lists/dicts
of them) by type, dtype, shape and value (exact for integers and booleans; floating values
within a tolerance for their precision, since a new contraction order rounds differently),
and the full state of every global generator, which exposes a call made twice or skipped.
A version that raises must raise the same exception type in the other.
"""
import contextlib
import io
import itertools
import json
import os
import random
import sys
import tempfile
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

# Relative tolerance by precision: a different contraction order only changes rounding.
TOLERANCE = {2: 2e-2, 4: 1e-4, 8: 1e-9, 16: 1e-12}


def seed_all():
    random.seed(SEED)
    np.random.seed(SEED)
    if torch is not None:
        torch.manual_seed(SEED)


def generator_states():
    """Every global generator's state, as comparable plain data."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    states = {
        "random": random.getstate(),
        "numpy": (kind, keys.tolist(), pos, has_gauss, cached),
    }
    if torch is not None:
        states["torch"] = torch.get_rng_state().tolist()
    return states


SOURCES = tempfile.mkdtemp(prefix="einsight-snippets-")
NUMBERS = itertools.count()


def run(source):
    # A real file: torch.jit.script reads the source of the functions it compiles.
    path = os.path.join(SOURCES, f"snippet_{next(NUMBERS)}.py")
    with open(path, "w", encoding="utf-8") as file:
        file.write(source)
    seed_all()
    namespace = {"__name__": "__snippet__", "__file__": path}
    printed = io.StringIO()
    try:
        # What the snippet prints is an effect too (and must not mix with this runner's output).
        with contextlib.redirect_stdout(printed):
            exec(compile(source, path, "exec"), namespace)
    except Exception as error:
        return {"raised": error, "trace": traceback.format_exc(limit=3), "states": generator_states(), "printed": printed.getvalue()}
    if "result" not in namespace:
        raise AssertionError("the snippet defines no `result`")
    return {"raised": None, "result": namespace["result"], "states": generator_states(), "printed": printed.getvalue()}


def is_tensor(value):
    return torch is not None and isinstance(value, torch.Tensor)


def dtype_name(value):
    return str(value.dtype).replace("torch.", "")


def compare_arrays(a, b, path):
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} and {type(b).__name__}"
    if dtype_name(a) != dtype_name(b):
        return f"{path}: dtypes {dtype_name(a)} and {dtype_name(b)}"
    if tuple(a.shape) != tuple(b.shape):
        return f"{path}: shapes {tuple(a.shape)} and {tuple(b.shape)}"
    if is_tensor(a):
        # bfloat16 has no numpy counterpart: compare as float32, with bfloat16's tolerance.
        width = a.element_size()
        a = a.detach().cpu()
        b = b.detach().cpu()
        if a.dtype == torch.bfloat16:
            a, b = a.float(), b.float()
        x, y = a.numpy(), b.numpy()
    else:
        x, y = np.asarray(a), np.asarray(b)
        width = x.dtype.itemsize // (2 if x.dtype.kind == "c" else 1)
    if x.dtype.kind in "biuSUO":
        return None if np.array_equal(x, y) else f"{path}: values differ (exact comparison of {x.dtype})"
    rtol = TOLERANCE.get(width, 1e-9)
    scale = float(np.max(np.abs(x[np.isfinite(x)]))) if np.isfinite(x).any() else 1.0
    if not np.allclose(x, y, rtol=rtol, atol=rtol * max(scale, 1e-30), equal_nan=True):
        difference = np.nanmax(np.abs(x.astype(np.complex128) - y.astype(np.complex128)))
        return f"{path}: values differ by up to {difference} (tolerance {rtol} of {scale})"
    return None


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
        if type(a) is not type(b) or len(a) != len(b):
            return f"{path}: a {type(a).__name__} of {len(a) if hasattr(a, '__len__') else '?'} and a {type(b).__name__}"
        for i, (x, y) in enumerate(zip(a, b)):
            problem = compare(x, y, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(a, (np.ndarray, np.generic)) or is_tensor(a):
        return compare_arrays(a, b, path)
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} and {type(b).__name__}"
    if isinstance(a, float) or isinstance(a, complex):
        return compare_arrays(np.asarray(a), np.asarray(b), path)
    return None if a == b else f"{path}: {a!r} and {b!r}"


def check(snippet):
    missing = [name for name in snippet.get("requires", []) if AVAILABLE.get(name, import_optional(name)) is None]
    if missing:
        return "skipped", f"{', '.join(missing)} not importable in {sys.executable}"
    if snippet["original"] == snippet["rewritten"]:
        return "failed", "the rewrite is identical to the original"
    original = run(snippet["original"])
    rewritten = run(snippet["rewritten"])
    if original["raised"] is not None or rewritten["raised"] is not None:
        if type(original["raised"]) is not type(rewritten["raised"]):
            which = "original" if original["raised"] is not None else "rewrite"
            return "failed", f"only the {which} raised:\n" + (original.get("trace") or rewritten.get("trace"))
        return "failed", "both raised (the snippet must run):\n" + original["trace"]
    problem = compare(original["result"], rewritten["result"])
    if not problem and original["printed"] != rewritten["printed"]:
        problem = f"printed output differs: {original['printed']!r} and {rewritten['printed']!r}"
    if not problem:
        for name in original["states"]:
            if original["states"][name] != rewritten["states"][name]:
                problem = f"the state of the {name} generator differs after the run"
                break
    return ("failed", problem) if problem else ("passed", "")


def main():
    snippets = json.load(sys.stdin)
    try:
        for snippet in snippets:
            status, detail = check(snippet)
            print(json.dumps({"id": snippet["id"], "status": status, "detail": detail}), flush=True)
    finally:
        for name in os.listdir(SOURCES):
            os.unlink(os.path.join(SOURCES, name))
        os.rmdir(SOURCES)


if __name__ == "__main__":
    main()
