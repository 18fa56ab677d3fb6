"""The one way a custom Op (``backend/ops``) gets its Numba and JAX implementations.

An Op registered here exposes ``kernel()``, a plain function of its input
arrays that returns the output array (or a tuple of them). Its ``perform``
calls it, and so does the Numba implementation given here, from an
object-mode block. That keeps one implementation for the C, Python and
Numba modes, keeps Numba's compile small (an im2col graph took minutes), and,
because a cache key is given, leaves the whole compiled graph cacheable on
disk (PyTensor's generic object-mode fallback would make it uncacheable, and
warns on every compile).

The key is computed from the sources of the Op's module and of every backend
module it imports, directly or not (``source_keys``): the object-mode block
is cached with the kernels' code inside it, so a change to any of them must
give a new key, or Numba would keep running the old kernels.

JAX gets real ``jax.lax`` implementations (the ``ops/*_jax.py`` modules),
registered only when jax is installed.

>>> register_op(MyOp, jax_impl=lambda op, node: (lambda x: x))  # doctest: +SKIP
>>> ensure_registered()   # in MyOp.make_node  # doctest: +SKIP
"""
import importlib.util

import numpy as np

from . import source_keys

# bump when the object-mode wrapper changes, so cached Numba code is rebuilt
_NUMBA_KEY_VERSION = 3
_PENDING = []
_ACTIVE = [False]
# every Op class registered, in order of registration
REGISTERED_OPS = []
# Ops whose own CPU kernels train faster than XLA on a CPU: a graph holding one runs in
# NUMBA mode rather than in the default JAX mode there (modes.choose_mode). Measured with
# python -m keraslike.bench, 2 cores: mnist_cnn 593 vs 378 samples/s, imdb_lstm 705 vs 539.
CPU_KERNEL_OPS = set()
# Ops whose NumPy kernels spread their work over threads.parallel_map: a graph holding
# one runs with one BLAS thread, its dense products as ParallelDot (function.Function)
THREADED_OPS = set()


def op_cache_key(op_cls):
    """The digest of the sources behind ``op_cls``: its module and all it imports in the backend."""
    return source_keys.digest(source_keys.imported_modules(op_cls.__module__))


def _register_numba(op_cls):
    import numba
    from pytensor.link.numba.dispatch.basic import (default_hash_key_from_props,
                                                    get_numba_type, numba_njit,
                                                    register_funcify_and_cache_key)

    @register_funcify_and_cache_key(op_cls)
    def numba_funcify_kernel_op(op, node, **kwargs):
        call = op.kernel()
        if len(node.outputs) == 1:
            dtype = node.outputs[0].type.numpy_dtype
            # declared C-contiguous (the kernels return such arrays): Numba's loops over
            # 'A'-layout arrays downstream measured several times slower
            out_type = get_numba_type(node.outputs[0].type, layout='C')

            @numba_njit
            def kernel_op(*inputs):
                with numba.objmode(out=out_type):
                    out = np.ascontiguousarray(call(*inputs), dtype=dtype)
                return out
        else:
            ret_type = numba.types.Tuple([get_numba_type(o.type) for o in node.outputs])

            @numba_njit
            def kernel_op(*inputs):
                with numba.objmode(ret=ret_type):
                    ret = call(*inputs)
                return ret

        key = default_hash_key_from_props(op, keraslike_objmode=_NUMBA_KEY_VERSION,
                                          sources=op_cache_key(op_cls),
                                          out_dtypes=[str(o.dtype) for o in node.outputs])
        return kernel_op, key


def jax_available():
    return importlib.util.find_spec('jax') is not None


def _register_jax(op_cls, jax_impl):
    from .jax_mode import import_jax
    import_jax()
    from pytensor.link.jax.dispatch import jax_funcify

    @jax_funcify.register(op_cls)
    def jax_funcify_kernel_op(op, node=None, **kwargs):
        return jax_impl(op, node)


def register_op(op_cls, jax_impl=None, cpu_kernel=False, threaded=True):
    """Give ``op_cls`` a cacheable Numba implementation and, if jax is installed, a JAX one.

    ``jax_impl(op, node)`` returns the function JAX traces. Registration waits
    for :func:`ensure_registered` (called when a node is first built) so that
    importing keraslike does not import numba and jax (2 s or more).
    ``cpu_kernel``: a graph holding this Op runs in NUMBA mode rather than in
    the default JAX mode when JAX computes on the CPU. ``threaded``: the
    kernels run on the worker threads (``threads.parallel_map``).
    """
    if op_cls in REGISTERED_OPS:
        raise ValueError('%s is registered already.' % op_cls.__name__)
    REGISTERED_OPS.append(op_cls)
    if cpu_kernel:
        CPU_KERNEL_OPS.add(op_cls)
    if threaded:
        THREADED_OPS.add(op_cls)
    _PENDING.append((op_cls, jax_impl))
    if _ACTIVE[0]:
        ensure_registered()
    return op_cls


def ensure_registered():
    """Register the pending Ops' implementations (imports numba and jax: once, lazily)."""
    _ACTIVE[0] = True
    if not _PENDING:
        return
    # importing jax draws from NumPy's global generator: keep np.random.seed reproducible
    state = np.random.get_state()
    try:
        while _PENDING:
            op_cls, jax_impl = _PENDING.pop(0)
            try:
                _register_numba(op_cls)
            except ImportError:  # PyTensor without numba: C and Python modes still work
                pass
            if jax_impl is not None and jax_available():
                _register_jax(op_cls, jax_impl)
    finally:
        np.random.set_state(state)
