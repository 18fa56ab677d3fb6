"""Run an unmodified Keras 1 script on keraslike: ``python -m keraslike.run script.py [args]``.

The script runs as ``python script.py [args]`` would run it (``__name__ ==
'__main__'``, ``sys.argv == ['script.py', args...]``, the script's folder first
on ``sys.path``, its exit status passed through; an uncaught exception prints
its traceback and exits with status 1), with two differences:

- ``keras`` and every ``keras.*`` module are keraslike's: ``import keras``,
  ``from keras.layers.core import Dense`` and ``import keras.backend as K``
  give the very module objects of ``keraslike``, ``keraslike.layers.core``
  and ``keraslike.backend`` (:class:`KerasAliasFinder`).
- NumPy names that NumPy 1.24 removed and scripts of that era use (``np.float``,
  ``np.int``, ``np.object``, ...) are restored as the builtins they aliased,
  with one warning per name on first use (:func:`restore_numpy_aliases`).

The same command is installed as ``keraslike-run``.
"""
import importlib.abc
import importlib.util
import os
import runpy
import sys
import types
import warnings

USAGE = 'usage: keraslike-run [-h] script.py [args ...]'

HELP = USAGE + """

Run a Keras 1 script unchanged on keraslike: `import keras` and `from keras.x import y`
load keraslike's modules, NumPy's removed aliases (np.float, np.int, np.bool, np.object,
np.complex, np.str, np.long, np.unicode) are restored as the builtins they named (one
warning per name on first use), and the script gets sys.argv = [script.py, args ...],
__name__ == '__main__' and its folder first on sys.path. Its exit status is passed on;
an uncaught exception prints its traceback and exits with status 1.

Everything after script.py goes to the script, options included.

Settings come from the environment (or ~/.keraslike/keraslike.json, $KERASLIKE_HOME):
  KERASLIKE_SAFE_MODE=0   let load_model / model_from_json rebuild Lambda layers and
                          Merge modes saved as marshalled Python code (this runs code
                          from the file: only for files you trust); "safe_mode": false
                          in keraslike.json does the same
  KERASLIKE_MODE=...      execution mode: JAX (default), NUMBA, C, FAST_COMPILE
  KERASLIKE_IMAGE_DIM_ORDERING=th|tf, KERASLIKE_FLOATX=float32|float64|float16
"""

#: Keras 1 modules whose keraslike counterpart has another name: the Theano backend
#: module and the backend's shared config are keraslike.backend itself.
_RENAMED = {'keras.backend.theano_backend': 'keraslike.backend',
            'keras.backend.common': 'keraslike.backend'}


def keraslike_name(fullname):
    """``keras.layers.core`` -> ``keraslike.layers.core`` (None for names outside keras)."""
    if fullname in _RENAMED:
        return _RENAMED[fullname]
    if fullname == 'keras' or fullname.startswith('keras.'):
        return 'keraslike' + fullname[len('keras'):]
    return None


class KerasAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolve ``keras`` and ``keras.*`` to the module objects of ``keraslike``/``keraslike.*``.

    ``exec_module`` puts the real module into ``sys.modules`` under the alias name;
    the import system returns whatever ``sys.modules`` holds after loading, so
    ``keras.layers.Dense is keraslike.layers.Dense`` and the keraslike modules keep
    their own ``__name__`` and ``__spec__`` (pickles and reprs name keraslike).
    """

    def find_spec(self, fullname, path=None, target=None):
        real = keraslike_name(fullname)
        if real is None:
            return None
        try:
            if importlib.util.find_spec(real) is None:
                return None  # a missing keras.x reports "No module named 'keras.x'"
        except ModuleNotFoundError:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return None  # a placeholder module; exec_module swaps in the real one

    def exec_module(self, module):
        name = module.__spec__.name
        sys.modules[name] = importlib.import_module(keraslike_name(name))


def install_keras_alias():
    """Put :class:`KerasAliasFinder` first on ``sys.meta_path`` (once); returns it."""
    for finder in sys.meta_path:
        if isinstance(finder, KerasAliasFinder):
            return finder
    finder = KerasAliasFinder()
    sys.meta_path.insert(0, finder)
    return finder


# ---------------------------------------------------------------------------- NumPy aliases
#: The builtins NumPy's old aliases named (removed in NumPy 1.24; np.bool and np.long
#: came back in NumPy 2 as NumPy's own types, and are then left alone).
NUMPY_ALIASES = {'float': float, 'int': int, 'bool': bool, 'object': object,
                 'complex': complex, 'str': str, 'long': int, 'unicode': str}


class NumpyAliasWarning(UserWarning):
    """A script used a NumPy alias that NumPy removed and keraslike.run restored."""


class _Alias(object):
    """A non-data descriptor on numpy's module class: the module's own attributes win,
    so a script that sets ``np.float = float`` itself replaces it silently."""

    def __init__(self, name, value):
        self.name, self.value, self.warned = name, value, False

    def __get__(self, module, owner=None):
        if module is None:
            return self
        if not self.warned:
            self.warned = True
            warnings.warn(
                'np.%s was removed in NumPy 1.24; keraslike.run restored it as the builtin '
                '%s, which it aliased (write %s instead to silence this).'
                % (self.name, self.value.__name__, self.value.__name__),
                NumpyAliasWarning, stacklevel=2)
        return self.value


def _missing(module, name):
    with warnings.catch_warnings():  # NumPy 1.20-1.23 still had them, with a warning
        warnings.simplefilter('ignore')
        return not hasattr(module, name)


def restore_numpy_aliases(numpy_module=None):
    """Give ``numpy`` back the removed aliases it lacks; returns the names restored.

    NumPy's module-level ``__getattr__`` raises for these names, and a module's
    ``__getattr__`` cannot be wrapped from outside, so numpy's module object gets a
    subclass of ``ModuleType`` as its class, with a descriptor per name: every
    existing ``import numpy as np`` sees them, and each warns on its first use.
    """
    if numpy_module is None:
        import numpy as numpy_module
    names = [n for n in NUMPY_ALIASES if _missing(numpy_module, n)]
    if not names:
        return []
    cls = type(numpy_module)
    if cls is types.ModuleType:
        cls = type('numpy_with_legacy_aliases', (types.ModuleType,), {})
        numpy_module.__class__ = cls
    for name in names:
        setattr(cls, name, _Alias(name, NUMPY_ALIASES[name]))
    return names


# ---------------------------------------------------------------------------- running
def _strip_runner_frames(tb):
    """Drop this module's and runpy's frames from the front of a traceback."""
    ours = {os.path.abspath(__file__), os.path.abspath(runpy.__file__), '<frozen runpy>'}
    while tb is not None and (tb.tb_frame.f_code.co_filename in ours
                              or os.path.abspath(tb.tb_frame.f_code.co_filename) in ours):
        tb = tb.tb_next
    return tb


def run_script(path, args=()):
    """Run ``path`` as ``__main__`` with the keras alias and NumPy aliases in place.

    Returns 0, or 1 after printing the traceback of an uncaught exception; a
    ``SystemExit`` raised by the script propagates.
    """
    install_keras_alias()
    restore_numpy_aliases()
    sys.argv = [path] + list(args)
    # like `python script.py`: the script's own folder (symlinks resolved) replaces ours
    folder = os.path.dirname(os.path.realpath(path))
    if sys.path:
        sys.path[0] = folder
    else:
        sys.path.insert(0, folder)
    try:
        runpy.run_path(path, run_name='__main__')
    except Exception as e:
        tb = _strip_runner_frames(e.__traceback__)
        # the default hook prints the exception's own __traceback__, not its argument
        sys.excepthook(type(e), e.with_traceback(tb), tb)
        return 1
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        sys.stderr.write(USAGE + '\n')
        return 2
    if argv[0] in ('-h', '--help'):
        sys.stdout.write(HELP)
        return 0
    if argv[0].startswith('-'):
        sys.stderr.write('%s\nkeraslike-run: unknown option %s (options of the script go '
                         'after its path)\n' % (USAGE, argv[0]))
        return 2
    path = argv[0]
    if not os.path.exists(path):
        sys.stderr.write("keraslike-run: can't open file %r: no such file\n" % path)
        return 2
    return run_script(path, argv[1:])


if __name__ == '__main__':
    sys.exit(main())
