"""Dump every public module-level name of real Keras 1.2.2 (with signatures) to JSON.

The output is committed as ``tests/fixtures/keras1_public_names.json``; the test
``tests/test_keras1_names.py`` checks that keraslike offers each name under the
same module path with a compatible signature. Re-run this script only to
regenerate that fixture; the tests never need Keras 1.

How to run (Keras 1.2.2 needs an old interpreter and NumPy)::

    python3.7 -m venv .venv-keras1
    .venv-keras1/bin/pip install numpy==1.16.6 scipy==1.2.3 six pyyaml h5py==2.10.0
    .venv-keras1/bin/pip install --no-deps theano==1.0.5 keras==1.2.2
    .venv-keras1/bin/python tests/tools/keras1_public_names_dump.py \\
        > tests/fixtures/keras1_public_names.json

The script selects the Theano backend itself and points HOME at a temporary
folder, so Keras does not write ``~/.keras/keras.json`` into your home.

What is recorded, per module: each name not starting with ``_`` whose value is
not a module and was defined by Keras itself (``__module__`` under ``keras``),
plus plain constants (numbers, strings, tuples...). Names imported from the
standard library, NumPy, SciPy, six or Theano are left out: they are not
Keras API. For functions the parameters are recorded; for classes those of
``__init__`` (without ``self``). Python 3.7 compatible on purpose.
"""
from __future__ import print_function

import importlib
import inspect
import json
import os
import pkgutil
import sys
import tempfile

# modules that cannot be imported with the Theano backend (TensorFlow is not installed)
SKIP_MODULES = {'keras.backend.tensorflow_backend'}

CONSTANT_TYPES = (bool, int, float, str, bytes, tuple, list, dict, set, frozenset, type(None))


def _setup():
    home = tempfile.mkdtemp(prefix='keras1_dump_')
    os.environ['HOME'] = home
    os.environ['KERAS_BACKEND'] = 'theano'
    os.environ.setdefault('THEANO_FLAGS', 'base_compiledir=' + os.path.join(home, 'theano'))
    import theano.ifelse  # noqa: F401  (Keras 1.2.2 uses it without importing it first)
    try:
        import pydot_ng  # noqa: F401
    except ImportError:
        # keras.utils.visualize_util refuses to import without pydot and graphviz; its
        # public names do not depend on them, so a stub that "finds" graphviz is enough
        import types
        stub = types.ModuleType('pydot_ng')
        stub.find_graphviz = lambda: True
        sys.modules['pydot_ng'] = stub


def _params(fn, drop_self):
    """Parameters as compact strings: 'x' (required), 'x=' (has a default), '*args',
    '**kwargs', and '*:x' / '*:x=' for keyword-only ones."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    out = []
    for i, p in enumerate(sig.parameters.values()):
        if drop_self and i == 0 and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            continue
        if p.kind == p.VAR_POSITIONAL:
            out.append('*' + p.name)
        elif p.kind == p.VAR_KEYWORD:
            out.append('**' + p.name)
        else:
            prefix = '*:' if p.kind == p.KEYWORD_ONLY else ''
            out.append(prefix + p.name + ('=' if p.default is not p.empty else ''))
    return out


def _class_params(cls):
    init = None
    for klass in cls.__mro__:
        if '__init__' in vars(klass):
            init = vars(klass)['__init__']
            break
    if init is None or init is object.__init__ or not inspect.isfunction(init):
        return []  # no keras __init__: the class takes no arguments (or only builtins')
    return _params(init, drop_self=True)


def _describe(value):
    """(kind, params) for a public value, or None if it is not Keras API."""
    if inspect.ismodule(value):
        return None
    owner = getattr(value, '__module__', None)
    if inspect.isclass(value):
        if not (owner or '').startswith('keras'):
            return None
        return 'class', _class_params(value)
    if inspect.isfunction(value):
        if not (owner or '').startswith('keras'):
            return None
        return 'function', _params(value, drop_self=False)
    if callable(value):  # builtins, ufuncs, theano ops
        if (owner or '').startswith('keras'):
            return 'callable', None
        return None
    if value is None:
        return None  # `try: import requests except ImportError: requests = None` placeholders
    if isinstance(value, CONSTANT_TYPES):
        return 'constant', None
    if (type(value).__module__ or '').startswith('keras'):
        return 'instance', None
    return None


def _walk():
    import keras
    names = ['keras']
    for info in pkgutil.walk_packages(keras.__path__, 'keras.'):
        names.append(info.name)
    return sorted(n for n in names if n not in SKIP_MODULES)


def main():
    _setup()
    modules = {}
    failed = {}
    for mod_name in _walk():
        try:
            module = importlib.import_module(mod_name)
        except Exception as e:  # record it: an unimportable module is not API we can test
            failed[mod_name] = '%s: %s' % (type(e).__name__, e)
            continue
        entries = {}
        for name in sorted(vars(module)):
            if name.startswith('_'):
                continue
            value = vars(module)[name]
            described = _describe(value)
            if described is None:
                continue
            kind, params = described
            entry = {'kind': kind}
            if kind in ('class', 'function'):
                entry['params'] = params
                entry['defined_in'] = value.__module__
            elif kind == 'constant':
                entry['type'] = type(value).__name__
            modules[mod_name] = entries
            entries[name] = entry
    out = {'keras_version': __import__('keras').__version__, 'backend': 'theano',
           'python': sys.version.split()[0], 'skipped_modules': sorted(SKIP_MODULES),
           'unimportable_modules': failed, 'modules': modules}
    _write(out, sys.stdout)


def _write(data, stream):
    """JSON with one line per (module, name): small diffs, easy to grep."""
    modules = data.pop('modules')
    head = json.dumps(data, indent=1, sort_keys=True)
    stream.write(head[:-2] + ',\n "modules": {\n')
    for i, mod_name in enumerate(sorted(modules)):
        stream.write('  %s: {\n' % json.dumps(mod_name))
        entries = modules[mod_name]
        lines = ['   %s: %s' % (json.dumps(n), json.dumps(entries[n], sort_keys=True))
                 for n in sorted(entries)]
        stream.write(',\n'.join(lines))
        stream.write('\n  }%s\n' % (',' if i < len(modules) - 1 else ''))
    stream.write(' }\n}\n')


if __name__ == '__main__':
    main()
