"""Counts what opt_einsum_fx's passes and einsight's rewrites leave to compute.

    python3 fx_compare.py shapes                      the example shapes, as JSON
    python3 fx_compare.py compare ORIGINAL REWRITTEN   one JSON line per function

Each function of ORIGINAL (test/bench/fx_functions.py with einsight's shape hints) is traced
with torch.fx and optimized with opt_einsum_fx's `optimize_einsums_full` on example inputs;
the same function of REWRITTEN (einsight's fixes applied) is traced as it is. Both graphs are
then counted the same way, node by node, after shape propagation: contraction FLOPs exactly as
opt_einsum's `flop_count` counts them (an einsum of three or more operands costs the path torch
runs it with: opt_einsum's 'auto', since opt_einsum is installed), and scalar multiplications as
the elements of every tensor multiplied or divided by a Python number. Values are checked too.

Needs torch, opt_einsum 3.4 and opt_einsum_fx on PYTHONPATH (see `npm run bench:fx`).
"""
import importlib.util
import json
import numbers
import operator
import string
import sys
import types

import torch
from torch import fx
from torch.fx.passes.shape_prop import ShapeProp


def shim_packaging():
    """opt_einsum_fx imports `packaging` only to compare torch versions; Debian's torch has none."""
    try:
        import packaging.version  # noqa: F401
    except ImportError:
        version = types.ModuleType("packaging.version")
        version.parse = lambda text: tuple(int(part) for part in text.split("+")[0].split("a")[0].split(".")[:3])
        package = types.ModuleType("packaging")
        package.version = version
        sys.modules["packaging"] = package
        sys.modules["packaging.version"] = version


shim_packaging()
import opt_einsum  # noqa: E402
import opt_einsum_fx  # noqa: E402

EINSUMS = {torch.einsum, torch.functional.einsum}
SCALINGS = {operator.mul, operator.truediv, torch.mul, torch.div, torch.multiply, torch.divide}
MATMULS = {operator.matmul, torch.matmul, torch.mm, torch.bmm}


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def contraction_flops(equation, shapes):
    """opt_einsum's count for the path torch runs (one step for two operands)."""
    if len(shapes) == 1:
        return 0
    _, info = opt_einsum.contract_path(equation, *shapes, shapes=True, optimize="auto")
    return int(info.opt_cost)


def letters(count, start=0):
    return string.ascii_letters[start:start + count]


def tensordot_equation(a, b, dims):
    left, right = dims
    if isinstance(left, int):
        left, right = list(range(len(a) - left, len(a))), list(range(right))
    la = list(letters(len(a)))
    lb = list(letters(len(b), len(a)))
    for i, j in zip(left, right):
        lb[j] = la[i]
    out = [c for k, c in enumerate(la) if k not in left] + [c for k, c in enumerate(lb) if k not in right]
    return f"{''.join(la)},{''.join(lb)}->{''.join(out)}"


def matmul_equation(a, b):
    """torch.matmul's semantics as an einsum, broadcasting batch dimensions."""
    if len(a) == 1 and len(b) == 1:
        return "i,i->"
    if len(a) == 1:
        return f"j,...jk->...k"
    if len(b) == 1:
        return "...ij,j->...i"
    return "...ij,...jk->...ik"


def shape_of(arg):
    meta = arg.meta.get("tensor_meta") if isinstance(arg, fx.Node) else None
    return tuple(meta.shape) if meta is not None else None


def count(module, example):
    """FLOPs of the contractions and elementwise multiplications by Python numbers in the graph."""
    ShapeProp(module).propagate(*example)
    flops = 0
    scalings = 0
    for node in module.graph.nodes:
        if node.op == "call_function" and node.target in EINSUMS:
            operands = node.args[1:]
            if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
                operands = operands[0]
            flops += contraction_flops(node.args[0], [shape_of(o) for o in operands])
        elif node.op == "call_function" and node.target is torch.tensordot:
            dims = node.kwargs.get("dims", node.args[2] if len(node.args) > 2 else 2)
            a, b = shape_of(node.args[0]), shape_of(node.args[1])
            flops += contraction_flops(tensordot_equation(a, b, dims), [a, b])
        elif (node.op == "call_function" and node.target in MATMULS) or (node.op == "call_method" and node.target in ("matmul", "mm", "bmm")):
            a, b = shape_of(node.args[0]), shape_of(node.args[1])
            flops += contraction_flops(matmul_equation(a, b), [a, b])
        elif (node.op == "call_function" and node.target in SCALINGS) or (node.op == "call_method" and node.target in ("mul", "div", "mul_", "div_")):
            args = node.args
            if any(isinstance(a, numbers.Number) for a in args) and any(isinstance(a, fx.Node) for a in args):
                scalings += int(torch.Size(shape_of(node)).numel())
    return {"flops": flops, "scalings": scalings}


def compare(original_path, rewritten_path):
    original = load(original_path, "original_functions")
    rewritten = load(rewritten_path, "rewritten_functions")
    for name, shapes in original.SHAPES.items():
        torch.manual_seed(0)
        example = tuple(torch.randn(*shape, dtype=torch.float64) for shape in shapes)
        before = fx.symbolic_trace(getattr(original, name))
        optimized = opt_einsum_fx.optimize_einsums_full(fx.symbolic_trace(getattr(original, name)), example)
        einsight = fx.symbolic_trace(getattr(rewritten, name))
        expected = getattr(original, name)(*example)
        agree = all(
            torch.allclose(result, expected, rtol=1e-9, atol=1e-9 * float(expected.abs().max()))
            for result in (optimized(*example), getattr(rewritten, name)(*example))
        )
        print(json.dumps({
            "name": name,
            "original": count(before, example),
            "fx": count(optimized, example),
            "einsight": count(einsight, example),
            "agree": bool(agree),
        }), flush=True)


def main():
    if sys.argv[1:2] == ["shapes"]:
        spec = load(sys.argv[2], "functions")
        print(json.dumps({name: [list(s) for s in shapes] for name, shapes in spec.SHAPES.items()}))
    elif sys.argv[1:2] == ["compare"]:
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
