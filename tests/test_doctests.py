"""The ``>>>`` examples in the library's docstrings run, so that they stay true.

One test per module of ``keraslike`` and ``keraslike.backend`` that has
examples; the examples run with the project's default settings (float32,
'th' dim ordering) and NumPy's print options as the docstrings assume.
"""
import doctest
import importlib
import os
import pkgutil

import numpy as np
import pytest

import keraslike
from keraslike import backend as K

# modules that need an optional extra missing from the test one
OPTIONAL = {'keraslike.distributed': 'mpi4py'}


def _module_names():
    names = []
    for package in (keraslike, K):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):
            if not info.name.endswith('__main__'):
                names.append(info.name)
    return sorted(set(names))


def _modules_with_examples():
    out = []
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for name in _module_names():
        spec = importlib.util.find_spec(name)
        path = spec.origin if spec else None
        if path and path.endswith('.py') and '>>>' in open(path, encoding='utf8').read():
            out.append(pytest.param(name, id=os.path.relpath(path, root)))
    return out


@pytest.mark.parametrize('name', _modules_with_examples())
def test_docstring_examples_run(name):
    if name in OPTIONAL:
        pytest.importorskip(OPTIONAL[name])
    module = importlib.import_module(name)
    with np.printoptions(precision=8, suppress=False, legacy=False):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS
                                 | doctest.NORMALIZE_WHITESPACE, report=True, verbose=False)
    if result.attempted == 0:
        pytest.skip('every example in %s is marked +SKIP (it needs files or a data set)' % name)
    assert result.failed == 0, '%d of the %d examples in %s failed (printed above)' % (
        result.failed, result.attempted, name)
