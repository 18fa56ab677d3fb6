"""Numba and JAX implementations for the NumPy-kernel Ops (conv, pool).

Each Op exposes ``kernel()``, a plain function of its input arrays that
returns the output array; ``perform`` calls it, and so does the Numba
implementation registered here, from an object-mode block. That keeps one
implementation for the C, Python and Numba modes, keeps Numba's compile
small (an im2col graph took minutes), and, because a cache key is given,
leaves the whole compiled graph cacheable on disk (PyTensor's generic
object-mode fallback would make it uncacheable, and warns on every compile).

JAX gets real ``jax.lax`` implementations (the ``_jax_*_impl`` functions in
``conv_ops`` and ``pool_ops``): the GPU path. They are registered only when
jax is installed.

>>> register_op(MyOp, jax_impl=lambda op, node: (lambda x: x))  # doctest: +SKIP
>>> ensure_registered()   # in MyOp.make_node  # doctest: +SKIP
"""
import importlib.util

import numpy as np
from pytensor.graph.op import Op

# bump when the object-mode wrapper changes, so cached Numba code is rebuilt
_NUMBA_KEY_VERSION = 2
# the modules whose code the object-mode blocks run (and Numba's cache stores)
KERNEL_MODULES = ('conv_kernels', 'pool_kernels', 'pool_numba', 'threads', 'conv_ops',
                  'pool_ops', 'parallel_dot', '_dispatch')


class KernelOp(Op):
    """An Op computed by ``self.kernel()``, a NumPy function of its input arrays (one output).

    ``perform`` runs it in the C and Python modes; :func:`register_op` gives
    the Numba and JAX implementations.
    """

    def perform(self, node, inputs, outputs):
        out = self.kernel()(*inputs)
        outputs[0][0] = np.asarray(out, dtype=node.outputs[0].dtype)

    def L_op(self, inputs, outputs, output_grads):
        # PyTensor < 3.3 calls L_op; newer versions call pullback
        return self.pullback(inputs, outputs, output_grads)


def _register_numba(op_cls):
    import numba
    from .compile_cache import sources_hash
    from pytensor.link.numba.dispatch.basic import (default_hash_key_from_props,
                                                    get_numba_type, numba_njit,
                                                    register_funcify_and_cache_key)

    @register_funcify_and_cache_key(op_cls)
    def numba_funcify_kernel_op(op, node, **kwargs):
        call = op.kernel()
        dtype = node.outputs[0].type.numpy_dtype
        # declared C-contiguous (the kernels return such arrays): Numba's loops over
        # 'A'-layout arrays downstream measured several times slower
        out_type = get_numba_type(node.outputs[0].type, layout='C')

        @numba_njit
        def kernel_op(*inputs):
            with numba.objmode(out=out_type):
                out = np.ascontiguousarray(call(*inputs), dtype=dtype)
            return out

        # the object-mode block is cached with the kernels' code inside it: a change to
        # them must give a new key, or Numba would keep running the old kernels
        key = default_hash_key_from_props(op, keraslike_objmode=_NUMBA_KEY_VERSION,
                                          sources=sources_hash(KERNEL_MODULES),
                                          out_dtype=str(node.outputs[0].dtype))
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


_PENDING = []
_ACTIVE = [False]
# Ops whose own CPU kernels train faster than XLA on a CPU: a graph holding one runs in
# NUMBA mode rather than in the default JAX mode there (graph.Function). Measured with
# python -m keraslike.bench, 2 cores: mnist_cnn 593 vs 378 samples/s, imdb_lstm 705 vs 539.
CPU_KERNEL_OPS = set()
# every Op registered here: NumPy kernels that spread their work over threads.parallel_map
KERNEL_OPS = set()


def unknown_spatial_sizes(nodes):
    """Whether a convolution or pooling kernel among ``nodes`` works on images of unknown size.

    The default mode then stays in JAX on a CPU too, rather than running these
    kernels in NUMBA mode: a model built with ``input_shape=(c, None, None)``
    (fully convolutional nets, spatial pyramid pooling) carries shape
    arithmetic that NUMBA compiles node by node. Measured on the SPP script
    (``benchmarks/spp_unknown_spatial.py``, 2 cores, cold caches): first fit
    154 s in NUMBA mode, 62 s for Keras 1.2.2 on Theano, about 15 s in JAX,
    which then retraces once per new image size (about 5 s each).
    """
    for node in nodes:
        op = node.op
        window = getattr(op, 'kshape', None) or getattr(op, 'ws', None)
        if type(op) not in CPU_KERNEL_OPS or not window:
            continue
        nd = len(window)
        for var in list(node.inputs) + list(node.outputs):
            shape = getattr(var.type, 'shape', None)
            if shape is not None and len(shape) >= nd + 1 and None in shape[-nd:]:
                return True
    return False


def register_op(op_cls, jax_impl=None, cpu_kernel=False):
    """Give ``op_cls`` a cacheable Numba implementation and, if jax is installed, a JAX one.

    Registration waits for :func:`ensure_registered` (called when a node is first
    built) so that importing keraslike does not import numba and jax (2 s or more).
    ``cpu_kernel``: a graph holding this Op runs in NUMBA mode rather than in
    the default JAX mode when JAX computes on the CPU.
    """
    if cpu_kernel:
        CPU_KERNEL_OPS.add(op_cls)
    KERNEL_OPS.add(op_cls)
    _PENDING.append((op_cls, jax_impl))
    if _ACTIVE[0]:
        ensure_registered()
    return op_cls


def ensure_registered():
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
