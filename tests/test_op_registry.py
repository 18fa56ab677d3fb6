"""The custom Ops' registry (``backend/runtime/op_registry.py``): each Op of ``backend/ops`` is
registered once, and its cache key (the salt of Numba's cache of its object-mode block)
follows the sources of every backend module it really imports, found by reading them."""
import importlib
import inspect
import pkgutil

import pytest
from pytensor.graph.op import Op

from keraslike.backend import ops
from keraslike.backend.ops.conv import Corr, CorrGradWeights
from keraslike.backend.ops.parallel_dot import ParallelDot
from keraslike.backend.ops.pool import Pool
from keraslike.backend.ops.rnn import RNNLoop
from keraslike.backend.runtime import op_registry, source_keys

OPS = 'keraslike.backend.ops'


def _ops_modules():
    return [importlib.import_module(OPS + '.' + m.name)
            for m in pkgutil.iter_modules(ops.__path__)]


def _concrete_ops(module):
    """The Op classes a module defines that build nodes (bases like KernelOp do not)."""
    return [cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, Op) and cls.__module__ == module.__name__
            and 'make_node' in vars(cls)]


@pytest.fixture
def edited_source(monkeypatch):
    """Pretend the file of one backend module reads differently; returns the setter."""
    real = source_keys.read_source
    edited = {}
    monkeypatch.setattr(source_keys, 'read_source',
                        lambda path: edited.get(path, real(path)))
    monkeypatch.setattr(source_keys, '_DIGESTS', {})

    def edit(module):
        path = source_keys.module_path(module)
        edited[path] = real(path) + b'\n# edited\n'
        source_keys._DIGESTS.clear()
    return edit


def test_every_op_in_backend_ops_is_registered_exactly_once():
    defined = [cls for module in _ops_modules() for cls in _concrete_ops(module)]
    assert {Corr, Pool, RNNLoop, ParallelDot} <= set(defined)
    for cls in defined:
        assert op_registry.REGISTERED_OPS.count(cls) == 1, cls
    assert all(cls.__module__.startswith(OPS + '.') for cls in op_registry.REGISTERED_OPS)
    with pytest.raises(ValueError, match='registered already'):
        op_registry.register_op(Corr)


def test_the_import_walk_finds_direct_indirect_and_function_local_imports():
    conv = source_keys.imported_modules(OPS + '.conv')
    assert OPS + '.conv_numpy' in conv            # imported by ops/conv.py
    assert OPS + '.winograd_numba' in conv        # imported only by conv_numpy
    assert 'keraslike.backend.runtime.threads' in conv
    assert OPS + '.pool_numpy' not in conv        # nothing of conv imports pooling
    rnn = source_keys.imported_modules(OPS + '.rnn')
    assert OPS + '.rnn_numba' in rnn              # imported inside a function
    assert OPS + '.rnn_jax' in rnn


@pytest.mark.parametrize('op_cls, module', [
    (Corr, OPS + '.conv'),
    (Corr, OPS + '.conv_numpy'),
    (CorrGradWeights, OPS + '.winograd_numba'),   # reached only through conv_numpy
    (Corr, 'keraslike.backend.runtime.threads'),
    (Corr, 'keraslike.backend.runtime.op_registry'),  # the object-mode wrapper itself
    (Pool, OPS + '.pool_numba'),
    (RNNLoop, OPS + '.rnn_numba'),
    (ParallelDot, OPS + '.parallel_dot'),
])
def test_changing_a_kernel_module_changes_its_ops_cache_key(edited_source, op_cls, module):
    before = op_registry.op_cache_key(op_cls)
    edited_source(module)
    assert op_registry.op_cache_key(op_cls) != before


def test_a_module_an_op_does_not_import_leaves_its_key_alone(edited_source):
    before = op_registry.op_cache_key(Corr)
    edited_source(OPS + '.pool_numba')
    assert op_registry.op_cache_key(Corr) == before
