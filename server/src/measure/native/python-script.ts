/**
 * The standalone benchmark script a native measurement runs with the user's interpreter. It
 * imports only libraries (the ones the two forms need), builds seeded random inputs of the
 * unit's shapes, runs the form as written and the rewritten form once each to compare them
 * (that run is also the first warm-up), then times them in turns until the time budget is
 * spent and each has run at least `minRuns` times. It speaks JSON lines on stdout (see
 * python-protocol.ts); it writes no file and opens no connection.
 */
import type { ArrayLibrary, PythonProgram } from './python-program';

export interface ScriptSettings {
  seed: number;
  /** A dtype name (`float32`, …), or null for the library's default. */
  dtype: string | null;
  warmup: number;
  minRuns: number;
  maxRuns: number;
  budgetMs: number;
  /** Data the script may allocate after its imports (MB), enforced where the OS allows; null: no cap. */
  capMB: number | null;
  /** Whether torch may use CUDA when it is available (else the CPU). */
  allowCuda: boolean;
}

/** Per library: private import, environment, inputs, synchronisation, host copies, dtype names. */
const LIBRARY_CODE: Record<ArrayLibrary, string> = {
  numpy: `
import numpy as _ein_np
_ein_library = {"name": "numpy", "version": _ein_np.__version__}
_ein_device = {"kind": "cpu", "name": "cpu", "message": None}
_ein_dtype = _ein_np.dtype(_EIN_DTYPE or "float64")
_ein_dtype_label = str(_ein_dtype)
def _ein_input(shape, k):
    # copy=False: no second copy of each input when the dtype is already float64.
    return _ein_np.random.default_rng([_EIN_SEED, k]).uniform(-1.0, 1.0, size=shape).astype(_ein_dtype, copy=False)
def _ein_sync(result):
    pass
def _ein_host(result):
    return _ein_np.asarray(result, dtype=_ein_np.float64)
def _ein_dtype_name(result):
    return str(result.dtype)
`,
  torch: `
import torch as _ein_torch
import numpy as _ein_np
_ein_library = {"name": "torch", "version": _ein_torch.__version__}
_ein_oe = getattr(_ein_torch.backends, "opt_einsum", None)
if _ein_oe is not None:
    _ein_library["optEinsum"] = {"available": bool(_ein_oe.is_available()), "enabled": bool(_ein_oe.enabled), "strategy": _ein_oe.strategy}
_ein_cuda = _EIN_ALLOW_CUDA and _ein_torch.cuda.is_available()
_ein_target = _ein_torch.device("cuda" if _ein_cuda else "cpu")
_ein_device = {"kind": "cuda", "name": _ein_torch.cuda.get_device_name(0), "message": None} if _ein_cuda else {"kind": "cpu", "name": "cpu", "message": None if not _EIN_ALLOW_CUDA else "torch.cuda.is_available() is False: no CUDA device or a CPU-only torch build"}
_ein_dtype = getattr(_ein_torch, _EIN_DTYPE) if _EIN_DTYPE else _ein_torch.get_default_dtype()
_ein_dtype_label = str(_ein_dtype).replace("torch.", "")
def _ein_input(shape, k):
    generator = _ein_torch.Generator().manual_seed(_EIN_SEED * 1000003 + k)
    values = _ein_torch.rand(tuple(shape), generator=generator, dtype=_ein_torch.float32)
    return values.mul_(2).sub_(1).to(device=_ein_target, dtype=_ein_dtype)
def _ein_sync(result):
    if _ein_cuda:
        _ein_torch.cuda.synchronize()
def _ein_host(result):
    return result.detach().to("cpu", _ein_torch.float64).numpy()
def _ein_dtype_name(result):
    return str(result.dtype).replace("torch.", "")
`,
  jax: `
import jax as _ein_jax
import jax.numpy as _ein_jnp
import numpy as _ein_np
_ein_library = {"name": "jax", "version": _ein_jax.__version__}
_ein_first = _ein_jax.devices()[0]
_ein_device = {"kind": _ein_first.platform, "name": str(_ein_first), "message": None}
_ein_dtype = _ein_jnp.dtype(_EIN_DTYPE) if _EIN_DTYPE else _ein_jnp.zeros(()).dtype
_ein_dtype_label = str(_ein_dtype)
def _ein_input(shape, k):
    key = _ein_jax.random.fold_in(_ein_jax.random.PRNGKey(_EIN_SEED), k)
    return _ein_jax.random.uniform(key, tuple(shape), dtype=_ein_dtype, minval=-1.0, maxval=1.0)
def _ein_sync(result):
    if hasattr(result, "block_until_ready"):
        result.block_until_ready()
def _ein_host(result):
    return _ein_np.asarray(result, dtype=_ein_np.float64)
def _ein_dtype_name(result):
    return str(result.dtype)
`,
  tensorflow: `
import tensorflow as _ein_tf
import numpy as _ein_np
_ein_library = {"name": "tensorflow", "version": _ein_tf.__version__}
_ein_gpus = _ein_tf.config.list_logical_devices("GPU")
_ein_device = {"kind": "gpu" if _ein_gpus else "cpu", "name": _ein_gpus[0].name if _ein_gpus else "cpu", "message": None}
_ein_dtype = _ein_tf.as_dtype(_EIN_DTYPE or "float32")
_ein_dtype_label = _ein_dtype.name
def _ein_input(shape, k):
    values = _ein_tf.random.stateless_uniform(tuple(shape), seed=[_EIN_SEED, k], minval=-1.0, maxval=1.0, dtype=_ein_tf.float32)
    return _ein_tf.cast(values, _ein_dtype)
def _ein_sync(result):
    if hasattr(result, "numpy"):
        result.numpy()
def _ein_host(result):
    return _ein_np.asarray(result, dtype=_ein_np.float64)
def _ein_dtype_name(result):
    return result.dtype.name
`,
};

/** Imports each line on its own, so a missing library is reported by name. */
function importBlock(lines: readonly string[], library: ArrayLibrary): string {
  const guarded = (code: string, what: string) =>
    `try:\n${code.split('\n').map((l) => `    ${l}`).join('\n')}\nexcept BaseException as _ein_error:\n    _ein_fail("library", ${JSON.stringify(what)} + ": " + type(_ein_error).__name__ + ": " + str(_ein_error))\n`;
  return [guarded(LIBRARY_CODE[library].trim(), library), ...lines.map((line) => guarded(line, line))].join('');
}

export function pythonScript(program: PythonProgram, settings: ScriptSettings): string {
  const constants = [
    `_EIN_SEED = ${settings.seed}`,
    `_EIN_DTYPE = ${settings.dtype === null ? 'None' : JSON.stringify(settings.dtype)}`,
    `_EIN_WARMUP = ${Math.max(1, settings.warmup)}`,
    `_EIN_MIN_RUNS = ${settings.minRuns}`,
    `_EIN_MAX_RUNS = ${settings.maxRuns}`,
    `_EIN_BUDGET_S = ${settings.budgetMs / 1000}`,
    `_EIN_CAP_MB = ${settings.capMB === null ? 'None' : settings.capMB}`,
    `_EIN_ALLOW_CUDA = ${settings.allowCuda ? 'True' : 'False'}`,
    `_EIN_SHAPES = ${JSON.stringify(program.inputs.map((i) => i.shape))}`,
    `_EIN_NUMPY_PROBE = ${program.arrays === 'numpy' ? 'True' : 'False'}`,
  ];
  const forms = [`("as-written", _ein_as_written)`, ...(program.rewritten ? [`("rewritten", _ein_rewritten)`] : [])];
  return [
    '# einsight measure: a generated benchmark. It imports libraries only and writes no file.',
    PRELUDE.trim(),
    constants.join('\n'),
    importBlock(program.imports, program.arrays),
    ENVIRONMENT.trim(),
    `_ein_step = "inputs"`,
    'try:',
    `    ${program.inputs.map((i) => i.name).join(', ')}${program.inputs.length === 1 ? ',' : ''} = [_ein_input(shape, k) for k, shape in enumerate(_EIN_SHAPES)]`,
    'except BaseException as _ein_error:',
    '    _ein_failed(_ein_error, None)',
    `_ein_args = (${program.inputs.map((i) => i.name).join(', ')}${program.inputs.length === 1 ? ',' : ''})`,
    program.asWritten,
    program.rewritten ?? '',
    `_ein_step = "setup"`,
    ...program.setup,
    `_ein_forms = [${forms.join(', ')}]`,
    MAIN.trim(),
    '',
  ].join('\n');
}

const PRELUDE = String.raw`
import gc as _ein_gc
import json as _ein_json
import sys as _ein_sys
import time as _ein_time

def _ein_watch_parent():
    """Ends this process when the one measuring it is gone, even inside a long C call."""
    import os, threading
    parent = os.getppid()
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL (Linux)
    except Exception:
        pass
    def watch():
        while os.getppid() == parent:
            _ein_time.sleep(0.25)
        os._exit(1)
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()

_ein_watch_parent()

def _ein_send(kind, value):
    _ein_sys.stdout.write(_ein_json.dumps({kind: value}) + chr(10))
    _ein_sys.stdout.flush()

def _ein_fail(code, message, form=None):
    _ein_send("error", {"code": code, "message": message, "form": form})
    raise SystemExit(0)

def _ein_out_of_memory(error):
    text = str(error).lower()
    return isinstance(error, MemoryError) or "out of memory" in text or "can't allocate" in text or "failed to allocate" in text

def _ein_failed(error, form):
    """Reports an exception from the measured code (or from making its inputs) and stops."""
    if isinstance(error, (KeyboardInterrupt, SystemExit)):
        raise error
    detail = str(error).strip().splitlines()
    message = type(error).__name__ + (": " + detail[-1] if detail else "")
    _ein_fail("memory" if _ein_out_of_memory(error) else "runtime", message, form)

def _ein_rss_mb():
    """Peak resident memory so far (MB)."""
    try:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (2 ** 20 if _ein_sys.platform == "darwin" else 2 ** 10)
    except Exception:
        return None

def _ein_current_rss_mb():
    """Resident memory now (MB): the base the measurement's own peak is counted from."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    except Exception:
        return _ein_rss_mb()
`;

/** After the imports: the memory cap (Linux: RLIMIT_DATA above what the imports took), then the environment line. */
const ENVIRONMENT = String.raw`
_ein_cap = None
if _EIN_CAP_MB is not None and _ein_sys.platform.startswith("linux"):
    try:
        import resource as _ein_resource
        with open("/proc/self/status") as _ein_status:
            _ein_data = next(int(line.split()[1]) for line in _ein_status if line.startswith("VmData:")) * 1024
        _ein_soft, _ein_hard = _ein_resource.getrlimit(_ein_resource.RLIMIT_DATA)
        _ein_want = _ein_data + int(_EIN_CAP_MB * 2 ** 20)
        if _ein_hard != _ein_resource.RLIM_INFINITY:
            _ein_want = min(_ein_want, _ein_hard)
        _ein_resource.setrlimit(_ein_resource.RLIMIT_DATA, (_ein_want, _ein_hard))
        _ein_cap = (_ein_want - _ein_data) / 2 ** 20
    except Exception:
        _ein_cap = None
_ein_send("ready", {
    "runtimeVersion": _ein_sys.version.split()[0],
    "executable": _ein_sys.executable,
    "library": _ein_library,
    "device": _ein_device,
    "dtype": _ein_dtype_label,
    "capMB": _ein_cap,
    "baseRssMB": _ein_current_rss_mb(),
})
`;

const MAIN = String.raw`
def _ein_call(name, fn):
    try:
        _ein_sync(None)
        started = _ein_time.perf_counter()
        result = fn(*_ein_args)
        _ein_sync(result)
        return (_ein_time.perf_counter() - started) * 1000, result
    except BaseException as error:
        _ein_failed(error, name)

class _ein_numpy_probe:
    """While active, records how numpy runs einsum (path searches, given paths, its loops) and the
    direct BLAS calls a rewrite writes as steps (np.tensordot, np.matmul)."""
    def __init__(self):
        self.record = {"searches": 0, "givenPaths": 0, "loops": 0, "mostOperandsInOneLoop": 0, "blasCalls": 0}
        self.module = getattr(getattr(_ein_np, "_core", None), "einsumfunc", None) or _ein_np.core.einsumfunc
    def __enter__(self):
        module, record = self.module, self.record
        self.real = real_path, real_loop = module.einsum_path, module.c_einsum
        def path(*operands, **options):
            given = options.get("optimize")
            if isinstance(given, (list, tuple)) and len(given) > 0 and given[0] == "einsum_path":
                record["givenPaths"] += 1
            else:
                record["searches"] += 1
            return real_path(*operands, **options)
        def loop(*operands, **options):
            record["loops"] += 1
            arrays = [o for o in operands if hasattr(o, "shape")]
            record["mostOperandsInOneLoop"] = max(record["mostOperandsInOneLoop"], len(arrays))
            return real_loop(*operands, **options)
        def counted(real):
            def call(*operands, **options):
                record["blasCalls"] += 1
                return real(*operands, **options)
            return call
        # numpy's own einsum holds its own references to these: only the rewrite's steps are counted.
        self.real_blas = _ein_np.tensordot, _ein_np.matmul
        module.einsum_path, module.c_einsum = path, loop
        _ein_np.tensordot, _ein_np.matmul = (counted(f) for f in self.real_blas)
        return self
    def __exit__(self, *exc):
        self.module.einsum_path, self.module.c_einsum = self.real
        _ein_np.tensordot, _ein_np.matmul = self.real_blas
        return False

class _ein_no_probe:
    record = None
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return False

_ein_step = "compare"
_ein_first = {}
_ein_errors = {}
_ein_probes = {}
# The first warm-up round compares the forms and, for numpy, observes how it runs each. The
# library may refuse the call as written (the finding may be just that): that is reported, and
# the rewritten form is still timed.
for _ein_round in range(_EIN_WARMUP):
    for _ein_name, _ein_fn in list(_ein_forms):
        _ein_send("progress", {"form": _ein_name, "phase": "warmup", "index": _ein_round})
        if _ein_round > 0:
            _ein_call(_ein_name, _ein_fn)
            continue
        with (_ein_numpy_probe() if _EIN_NUMPY_PROBE else _ein_no_probe()) as _ein_probe:
            try:
                _ein_result = _ein_fn(*_ein_args)
                _ein_sync(_ein_result)
            except Exception as _ein_error:
                if _ein_name != "as-written" or len(_ein_forms) == 1 or _ein_out_of_memory(_ein_error):
                    _ein_failed(_ein_error, _ein_name)
                _ein_detail = str(_ein_error).strip().splitlines()
                _ein_errors["as-written"] = type(_ein_error).__name__ + (": " + _ein_detail[-1] if _ein_detail else "")
                _ein_forms = _ein_forms[1:]
                continue
        _ein_probes[_ein_name] = _ein_probe.record
        _ein_first[_ein_name] = {"outputShape": [int(d) for d in _ein_result.shape], "outputDtype": _ein_dtype_name(_ein_result), "host": _ein_host(_ein_result)}
        del _ein_result

_ein_agreement = None
if "rewritten" in _ein_first and "as-written" in _ein_first:
    _ein_a, _ein_b = _ein_first["as-written"]["host"], _ein_first["rewritten"]["host"]
    _ein_same_shape = _ein_a.shape == _ein_b.shape
    _ein_agreement = {
        "sameShape": bool(_ein_same_shape),
        "maxAbs": float(_ein_np.abs(_ein_a).max()) if _ein_a.size else 0.0,
        "maxAbsDiff": float(_ein_np.abs(_ein_a - _ein_b).max()) if _ein_same_shape and _ein_a.size else (0.0 if _ein_same_shape else None),
        "nonFinite": bool(not _ein_np.isfinite(_ein_a).all() or not _ein_np.isfinite(_ein_b).all()),
    }
for _ein_form in _ein_first.values():
    del _ein_form["host"]

_ein_step = "time"
_ein_samples = {name: [] for name, _ in _ein_forms}
_ein_gc.collect()
_ein_gc.disable()
_ein_started = _ein_time.perf_counter()
_ein_last_progress = 0.0
while True:
    for _ein_name, _ein_fn in _ein_forms:
        _ein_now = _ein_time.perf_counter()
        _ein_done = _ein_samples[_ein_name]
        # Throttled for fast runs; before every slow one, so the editor shows which form runs.
        if _ein_now - _ein_last_progress > 0.1 or (_ein_done and _ein_done[-1] > 20):
            _ein_send("progress", {"form": _ein_name, "phase": "run", "index": len(_ein_samples[_ein_name]), "elapsedMs": (_ein_now - _ein_started) * 1000})
            _ein_last_progress = _ein_now
        _ein_ms, _ein_result = _ein_call(_ein_name, _ein_fn)
        del _ein_result
        _ein_samples[_ein_name].append(_ein_ms)
    _ein_runs = len(_ein_samples[_ein_forms[0][0]])
    if _ein_runs >= _EIN_MAX_RUNS:
        break
    if _ein_runs >= _EIN_MIN_RUNS and _ein_time.perf_counter() - _ein_started >= _EIN_BUDGET_S:
        break
_ein_gc.enable()

_ein_failed_forms = [{"form": name, "error": error, "samplesMs": [], "outputShape": [], "outputDtype": "", "probe": None} for name, error in _ein_errors.items()]
_ein_send("result", {
    "forms": _ein_failed_forms + [dict(_ein_first[name], form=name, error=None, samplesMs=_ein_samples[name], probe=_ein_probes.get(name)) for name, _ in _ein_forms],
    "agreement": _ein_agreement,
    "peakRssMB": _ein_rss_mb(),
})
`;
