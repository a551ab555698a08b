"""The contraction recorder behind `einsight record` (pure Python, standard library only).

Once numpy, torch, jax.numpy, opt_einsum, einops, tensorflow or a module holding a declared
einsum wrapper has been imported, its contraction functions are replaced by thin wrappers
that call the original unchanged and note, per call site (the calling code object and
instruction), the equation and each operand's shape, dtype and device, with a call count and
the wall-clock time spent in the call. No tensor value is ever read or stored. Each process
writes what it saw to its own file (see _einsight_output) and `einsight record` merges them.

Nothing is imported and nothing is wrapped until one of those modules is imported, so a
program without contractions runs as before.
"""
# Only modules Python has loaded at start-up anyway (or builtins): importing this costs nothing
# a program would notice. json and functools are imported when first needed.
import _thread
import operator
import os
import sys
import time

import _einsight_output as output

# Distinct (equation, shapes) signatures kept per call site; further ones are only counted.
MAX_SIGNATURES = 32
MAX_EQUATION = 2000
# A long run writes what it has at most this often, so a worker killed outright loses little.
FLUSH_INTERVAL_NS = 2_000_000_000
# Stands for every signature of a site past MAX_SIGNATURES.
OTHER_SHAPES = ("other",)

# module -> [(attribute path, reported callee, style)]
_TARGETS = {
    "numpy": [("einsum", "numpy.einsum", "equation")],
    "torch": [
        ("einsum", "torch.einsum", "equation"),
        ("matmul", "torch.matmul", "pair"),
        ("mm", "torch.mm", "pair"),
        ("bmm", "torch.bmm", "pair"),
        ("Tensor.__matmul__", "operator.matmul", "pair"),
    ],
    "jax.numpy": [
        ("einsum", "jax.numpy.einsum", "equation"),
        ("matmul", "jax.numpy.matmul", "pair"),
        ("dot", "jax.numpy.dot", "pair"),
    ],
    "opt_einsum": [
        ("contract", "opt_einsum.contract", "equation"),
        ("contract_expression", "opt_einsum.contract_expression", "shapes"),
    ],
    "einops": [("einsum", "einops.einsum", "pattern-last")],
    "tensorflow": [
        ("einsum", "tensorflow.einsum", "equation"),
        ("linalg.einsum", "tensorflow.einsum", "equation"),
    ],
}

_root = None
_sync = False
_watched = {}
# (id(code), instruction offset) -> _Site; a _Site holds its code object, so the id stays unique.
_sites = {}
_file_kept = {}
# Thread id -> {(site, signature): [calls, nanoseconds]}: no lock on the hot path.
_tables = {}
# Code objects of declared wrappers: the calls they make are nested in a recorded call.
_wrapper_codes = set()
_next_flush = [0]
_watcher = []


class _Site(object):
    """One call site: a code object and the instruction calling a recorded function."""

    __slots__ = ("code", "lasti", "line", "callee", "keep", "signatures")

    def __init__(self, code, lasti, line, callee, keep):
        self.code = code
        self.lasti = lasti
        self.line = line
        self.callee = callee
        self.keep = keep
        self.signatures = set()


def install():
    """Starts recording if `einsight record` asked for it (it sets $EINSIGHT_RECORD_DIR).

    Returns the import watcher (None when not recording): the trigger in sitecustomize hands it
    the import that loaded the recorder.
    """
    global _root, _sync
    out_dir = os.environ.get("EINSIGHT_RECORD_DIR")
    if not out_dir:
        return None
    if _root is not None:
        return _watcher[0]
    _root = os.path.normcase(os.path.abspath(os.environ.get("EINSIGHT_RECORD_ROOT") or os.getcwd()))
    _sync = os.environ.get("EINSIGHT_RECORD_SYNC") == "1"
    for module, targets in _TARGETS.items():
        _watched.setdefault(module, []).extend(targets)
    for module, attribute, style in _declared_wrappers():
        _watched.setdefault(module, []).append((attribute, module + "." + attribute, style))
    output.start(out_dir, snapshot, _reset_after_fork)
    for module in list(_watched):
        if module in sys.modules:
            _patch(sys.modules[module])
    _watcher.append(_ImportWatcher())
    sys.meta_path.insert(0, _watcher[0])
    return _watcher[0]


def _declared_wrappers():
    """$EINSIGHT_RECORD_WRAPPERS: JSON [{"module", "name", "style"}] from the project's declaration."""
    text = os.environ.get("EINSIGHT_RECORD_WRAPPERS")
    if not text:
        return []
    import json

    try:
        return [(e["module"], e["name"], e.get("style", "equation")) for e in json.loads(text)]
    except (ValueError, KeyError, TypeError, AttributeError):
        sys.stderr.write("einsight record: ignored a malformed EINSIGHT_RECORD_WRAPPERS\n")
        return []


class _ImportWatcher(object):
    """A meta path finder: the real finders find the module; it is patched once it has run."""

    def __init__(self):
        self._busy = set()

    def find_spec(self, name, path=None, target=None):
        if name not in _watched or name in self._busy:
            return None
        self._busy.add(name)
        try:
            import importlib.util

            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        finally:
            self._busy.discard(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        spec.loader = _PatchingLoader(spec.loader)
        return spec


class _PatchingLoader(object):
    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        # The module keeps its own loader: code that inspects __loader__ sees nothing of einsight.
        module.__loader__ = self._loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self._loader
        _patch(module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


def _patch(module):
    for attribute, callee, style in _watched.get(module.__name__, ()):
        owner = module
        parts = attribute.split(".")
        try:
            for part in parts[:-1]:
                owner = getattr(owner, part)
            original = getattr(owner, parts[-1])
        except AttributeError:
            continue
        if not callable(original) or getattr(original, "__einsight_original__", None) is not None:
            continue
        if callee not in _builtin_callees():
            code = getattr(original, "__code__", None)
            if code is not None:
                _wrapper_codes.add(code)
        wrapper = _wrap(original, callee, _SIGNATURES[style])
        try:
            setattr(owner, parts[-1], wrapper)
        except (AttributeError, TypeError):
            continue  # a read-only attribute: this function is not recorded
        if module.__name__ == "torch":
            _keep_torchscript_builtin(original, wrapper)


def _keep_torchscript_builtin(original, wrapper):
    """torch.jit.script compiles torch.einsum as the aten operator it maps the function to; the wrapper maps to the same."""
    try:
        from torch.jit import _builtins

        operator_name = _builtins._find_builtin(original)
        if operator_name is not None:
            _builtins._register_builtin(wrapper, operator_name)
    except Exception:
        pass  # another torch: scripting a recorded function may then fail, as torch would say


def _builtin_callees():
    return {callee for targets in _TARGETS.values() for _, callee, _ in targets}


def _wrap(original, callee, signature_of):
    import functools

    getframe = sys._getframe
    clock = time.perf_counter_ns
    sites = _sites
    tables = _tables
    thread_id = _thread.get_ident
    next_flush = _next_flush
    sync = _synchronize if _sync else None

    def einsight_recorded(*args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 (pytest leaves this frame out of tracebacks)
        frame = getframe(1)
        site = sites.get((id(frame.f_code), frame.f_lasti))
        if site is None:
            site = _new_site(frame, callee)
        if not site.keep:
            return original(*args, **kwargs)
        if sync:
            sync()
        start = clock()
        result = original(*args, **kwargs)
        if sync:
            sync()
        end = clock()
        try:
            key = (site, signature_of(args, kwargs))
            table = tables.get(thread_id())
            entry = None if table is None else table.get(key)
            if entry is None:
                _first_call(key, end - start)
            else:
                entry[0] += 1
                entry[1] += end - start
            if end > next_flush[0]:
                next_flush[0] = end + FLUSH_INTERVAL_NS
                output.flush()
        except Exception:
            pass  # an operand einsight cannot describe (an unhashable symbolic size) is not recorded
        return result

    functools.update_wrapper(einsight_recorded, original)
    einsight_recorded.__einsight_original__ = original
    return einsight_recorded


def _new_site(frame, callee):
    code = frame.f_code
    keep = _file_kept.get(code.co_filename)
    if keep is None:
        keep = _in_project(code.co_filename)
        _file_kept[code.co_filename] = keep
        if keep:
            output.flush_on_sigterm()
    site = _Site(code, frame.f_lasti, frame.f_lineno, callee, keep)
    return _sites.setdefault((id(code), frame.f_lasti), site)


def _in_project(filename):
    if not filename or filename.startswith("<"):
        return False
    path = os.path.normcase(os.path.abspath(filename))
    if path != _root and not path.startswith(_root.rstrip(os.sep) + os.sep):
        return False
    parts = path.split(os.sep)
    return "site-packages" not in parts and "dist-packages" not in parts


def _first_call(key, elapsed):
    site, signature = key
    if signature not in site.signatures:
        if len(site.signatures) >= MAX_SIGNATURES:
            key = (site, OTHER_SHAPES)
        else:
            site.signatures.add(signature)
    table = _tables.setdefault(_thread.get_ident(), {})
    entry = table.get(key)
    if entry is None:
        table[key] = [1, elapsed]
    else:
        entry[0] += 1
        entry[1] += elapsed


def snapshot():
    """Every kept site with its signatures' [calls, nanoseconds], summed over threads."""
    merged = {}
    for table in list(_tables.values()):
        for (site, signature), entry in list(table.items()):
            counts = merged.setdefault(site, {})
            total = counts.setdefault(signature, [0, 0])
            total[0] += entry[0]
            total[1] += entry[1]
    return [(site, counts, site.code in _wrapper_codes) for site, counts in merged.items()]


def _reset_after_fork():
    """A forked child starts with its parent's counts: it records afresh."""
    _tables.clear()
    for site in _sites.values():
        site.signatures.clear()
    _next_flush[0] = 0


# --- signatures: what is kept of each call --------------------------------------------------


class _Describers(dict):
    """type -> how to describe an operand of that type; filled on first sight of each type."""

    def __missing__(self, kind):
        describer = _describer_for(kind)
        self[kind] = describer
        return describer


_describers = _Describers()


def _equation_signature(args, kwargs, describers=_describers):
    if args and type(args[0]) is str:
        operands = args[1:]
        if len(operands) == 1 and type(operands[0]) in (list, tuple):
            operands = operands[0]  # torch.einsum(equation, [a, b])
        equation = args[0] if len(args[0]) <= MAX_EQUATION else None
        return (equation,) + tuple([describers[type(x)](x) for x in operands])
    return _interleaved_signature(args)


def _pair_signature(args, kwargs, describers=_describers):
    return (None,) + tuple([describers[type(x)](x) for x in args[:2]])


def _pattern_last_signature(args, kwargs, describers=_describers):
    if args and type(args[-1]) is str:
        return (_equation_text(args[-1]),) + tuple([describers[type(x)](x) for x in args[:-1]])
    return (_equation_text(kwargs.get("pattern")),) + tuple([describers[type(x)](x) for x in args])


def _shapes_signature(args, kwargs):
    equation = args[0] if args else kwargs.get("subscripts")
    return (_equation_text(equation),) + tuple([_shape_operand(s) for s in args[1:]])


_SIGNATURES = {
    "equation": _equation_signature,
    "pair": _pair_signature,
    "pattern-last": _pattern_last_signature,
    "shapes": _shapes_signature,
}


def _equation_text(equation):
    return equation if type(equation) is str and len(equation) <= MAX_EQUATION else None


def _interleaved_signature(args):
    """numpy's einsum(a, [0, 1], b, [1, 2], [0, 2]), spelled in letters as einsight does: 0 is A."""
    operands = args[0::2][: len(args) // 2]
    described = tuple([_describers[type(x)](x) for x in operands])
    lists = list(args[1::2])
    if len(args) % 2 == 1:
        lists.append(args[-1])
    terms = []
    for items in lists:
        if not isinstance(items, (list, tuple)):
            return (None,) + described
        term = []
        for item in items:
            if item is Ellipsis:
                term.append("...")
            elif type(item) is int and 0 <= item < 52:
                term.append(chr(65 + item) if item < 26 else chr(97 + item - 26))
            else:
                return (None,) + described
        terms.append("".join(term))
    equation = ",".join(terms[: len(operands)])
    if len(terms) > len(operands):
        equation += "->" + terms[-1]
    return (equation,) + described


def _shape_operand(shape):
    if type(shape) is tuple and all(type(d) is int for d in shape):
        return shape, None, None
    return _describers[type(shape)](shape)


def _describer_for(kind):
    """How to read an operand's shape, dtype and device without touching its values."""
    name = kind.__name__
    if kind in (int, float, complex, bool):
        scalar = ((), name, None)
        return lambda value: scalar
    if any(base.__name__ == "Tensor" and base.__module__.startswith("torch") for base in kind.__mro__):
        # torch.Size is a tuple of ints (it hashes as one); symbolic sizes are written as null.
        return operator.attrgetter("shape", "dtype", "device")
    if any(base.__name__ == "ndarray" and base.__module__.startswith("numpy") for base in kind.__mro__):
        return operator.attrgetter("shape", "dtype")
    # Only attributes the class itself defines: a proxy's __getattr__ (torch.fx) would record
    # a graph node, and who knows what else computes.
    if getattr(kind, "shape", None) is not None and not isinstance(getattr(kind, "shape", None), (tuple, list)):
        if getattr(kind, "dtype", None) is not None:
            return lambda value: (_shape_tuple(value.shape), value.dtype, None)
        return lambda value: (_shape_tuple(value.shape), None, None)
    opaque = (None, name, None)
    return lambda value: opaque


def _shape_tuple(shape):
    if type(shape) is tuple:
        return shape
    if isinstance(shape, tuple):
        dims = tuple(shape)
    elif hasattr(shape, "as_list"):
        try:
            dims = tuple(shape.as_list())  # tf.TensorShape
        except ValueError:
            return None  # unknown rank
    else:
        return None
    # A symbolic size (torch.SymInt while compiling) stays unknown rather than being forced.
    return tuple(d if type(d) is int else None for d in dims)


_cuda = []


def _synchronize():
    if not _cuda:
        torch = sys.modules.get("torch")
        _cuda.append(torch is not None and torch.cuda.is_available())
    if _cuda[0]:
        sys.modules["torch"].cuda.synchronize()
