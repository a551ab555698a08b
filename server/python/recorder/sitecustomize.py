"""einsight record: starts the contraction recorder in every Python process of a recorded run.

`einsight record` puts this folder first on PYTHONPATH for the command it runs, so Python's
`site` module imports this file at start-up. It only installs a trigger: the recorder itself
(_einsight_recorder) is loaded when the program first imports a module it watches, so a
program that never imports one pays for this file and nothing else. Then this file runs the
`sitecustomize` it hides, if there is one further down the path, so the environment behaves as
it does without einsight.
"""
import os
import sys

# The modules whose contraction functions the recorder wraps (its _TARGETS), and the modules
# holding the project's declared wrappers ($EINSIGHT_RECORD_MODULES, comma-separated).
TRIGGERS = ("numpy", "torch", "jax.numpy", "opt_einsum", "einops", "tensorflow")


class _Trigger(object):
    """A meta path finder that loads the recorder at the first import of a watched module."""

    def __init__(self, modules):
        self.modules = modules

    def find_spec(self, name, path=None, target=None):
        if name not in self.modules:
            return None
        sys.meta_path.remove(self)
        try:
            _import_recorder()
            watcher = sys.modules["_einsight_recorder"].install()
        except Exception as error:  # never stop the user's program: say why nothing is recorded
            sys.stderr.write("einsight record: the recorder did not start: %r\n" % (error,))
            return None
        return watcher.find_spec(name, path, target) if watcher is not None else None


def _import_recorder():
    """Imports the recorder, caching its bytecode in this folder even under PYTHONDONTWRITEBYTECODE.

    The folder is einsight's own temporary copy, so the cache touches nothing of the user's, and
    every process of the run after the first loads the recorder compiled instead of compiling
    it again (about 5 ms each).
    """
    writes = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        import _einsight_recorder  # with _einsight_output
    finally:
        sys.dont_write_bytecode = writes


def _install_trigger():
    if not os.environ.get("EINSIGHT_RECORD_DIR"):
        return
    declared = [m for m in os.environ.get("EINSIGHT_RECORD_MODULES", "").split(",") if m]
    sys.meta_path.insert(0, _Trigger(frozenset(TRIGGERS + tuple(declared))))


def _run_hidden_sitecustomize():
    """Imports the next `sitecustomize` on sys.path, as Python would have without this folder."""
    # The import system's own modules, always loaded: importlib.util would cost a start-up import.
    bootstrap = sys.modules.get("_frozen_importlib") or __import__("importlib._bootstrap").__dict__["_bootstrap"]
    external = sys.modules.get("_frozen_importlib_external") or __import__("importlib._bootstrap_external").__dict__["_bootstrap_external"]
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != here]
    spec = external.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = bootstrap.module_from_spec(spec)
    # The hidden module replaces this one, as if it had been imported directly.
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


_install_trigger()
_run_hidden_sitecustomize()
