"""einsight record: starts the contraction recorder in every Python process of a recorded run.

`einsight record` puts this folder first on PYTHONPATH for the command it runs, so Python's
`site` module imports this file at start-up. It installs the recorder (which does nothing
until numpy, torch, jax, opt_einsum, einops, tensorflow or a declared wrapper is imported),
then runs the `sitecustomize` this file hides, if there is one further down the path, so the
environment behaves as it does without einsight.
"""
import os
import sys


def _start_recorder():
    try:
        import _einsight_recorder
    except Exception as error:  # never stop the user's program: say why nothing is recorded
        sys.stderr.write("einsight record: the recorder did not start: %r\n" % (error,))
        return
    _einsight_recorder.install()


def _run_hidden_sitecustomize():
    """Imports the next `sitecustomize` on sys.path, as Python would have without this folder."""
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    # The hidden module replaces this one, as if it had been imported directly.
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


_start_recorder()
_run_hidden_sitecustomize()
