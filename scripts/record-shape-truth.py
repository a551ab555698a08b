#!/usr/bin/env python3
"""Records the true operand shapes at every einsum call of the shapes-truth benchmark.

Runs each module of test/fixtures/shapes-truth/ as a script (`python3 module.py` would), with
numpy.einsum and torch.einsum wrapped: each call is located by the position of the calling
instruction (Python 3.11's co_positions, the start of the call expression) and every distinct
tuple of operand shapes is kept. Writes test/fixtures/shapes-truth/truth.json, with a hash of
each module so a module edited without recording again is noticed.

Needs numpy and torch (Debian: python3-numpy python3-torch). Usage:
    python3 scripts/record-shape-truth.py [FOLDER]
"""
import hashlib
import json
import os
import runpy
import sys

FOLDER = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'shapes-truth'))
VERSION = 1
MAX_SHAPES_PER_SITE = 64

calls = {}


def shape_of(value):
    shape = getattr(value, 'shape', None)
    if shape is not None:
        return [int(d) for d in shape]
    if isinstance(value, (int, float, complex, bool)):
        return []
    return None


def record(equation_first):
    def wrap(original):
        def einsum(*args, **kwargs):
            frame = sys._getframe(1)
            path = os.path.abspath(frame.f_code.co_filename)
            if path.startswith(FOLDER + os.sep):
                positions = list(frame.f_code.co_positions())[frame.f_lasti // 2]
                line, _, column, _ = positions
                if equation_first and args and isinstance(args[0], str):
                    operands = args[1:]
                    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
                        operands = operands[0]
                elif equation_first:
                    # numpy's interleaved form: operand, sublist, operand, sublist, [output]
                    operands = args[0::2][: len(args) // 2]
                else:
                    operands = args[:-1]
                key = (os.path.relpath(path, FOLDER), line, column + 1)
                shapes = json.dumps([shape_of(o) for o in operands])
                seen = calls.setdefault(key, [])
                if shapes not in seen and len(seen) < MAX_SHAPES_PER_SITE:
                    seen.append(shapes)
            return original(*args, **kwargs)

        return einsum

    return wrap


def install():
    import numpy

    numpy.einsum = record(True)(numpy.einsum)
    try:
        import torch

        torch.einsum = record(True)(torch.einsum)
    except ImportError:
        print('torch is not installed: modules that need it fail', file=sys.stderr)


def main():
    install()
    modules = sorted(name for name in os.listdir(FOLDER) if name.endswith('.py'))
    sys.path.insert(0, FOLDER)
    failed = []
    for name in modules:
        try:
            runpy.run_path(os.path.join(FOLDER, name), run_name='__main__')
        except Exception as error:  # noqa: BLE001 - a failing module is reported, the others still run
            failed.append(f'{name}: {type(error).__name__}: {error}')
    hashes = {}
    for name in modules:
        with open(os.path.join(FOLDER, name), 'rb') as handle:
            hashes[name] = hashlib.sha1(handle.read()).hexdigest()
    sites = [
        {'file': file, 'line': line, 'column': column, 'shapes': [json.loads(s) for s in shapes]}
        for (file, line, column), shapes in sorted(calls.items())
    ]
    with open(os.path.join(FOLDER, 'truth.json'), 'w') as handle:
        json.dump({'version': VERSION, 'modules': hashes, 'sites': sites}, handle, indent=1)
        handle.write('\n')
    print(f'{len(modules)} modules, {len(sites)} einsum sites recorded')
    for failure in failed:
        print(f'FAILED {failure}', file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
