"""Matrix products spread over the kernel worker threads, for graphs that hold one BLAS thread.

A graph with convolution or pooling kernels runs with BLAS held to one
thread (``runtime.function.Function``: OpenBLAS' idle threads spin and starve the
kernel workers). Its dense layers would then run on one core while the
other waits: mnist_cnn's three (128 x 4608 x 128) products took 8-9 ms of
its step that way. :func:`substitute` swaps each matrix ``Dot`` of such a
graph for :class:`ParallelDot`, which splits the product into one block of
rows (or columns) per worker, each a single-threaded BLAS call.

>>> import pytensor.tensor as pt
>>> x, w = pt.matrix('x'), pt.matrix('w')
>>> y, = substitute([pt.dot(x, w)])      # ParallelDot(x, w)
"""
import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.graph.basic import Apply
from pytensor.tensor.math import Dot

from ..runtime.graph_rebuild import rebuild
from ..runtime.op_registry import ensure_registered, register_op
from ..runtime.threads import parallel_map, split, workers
from .kernel_op import KernelOp

# below this many multiply-adds a product is not worth a trip to the workers
# (their hand-off costs some tens of microseconds)
MIN_WORK = 1 << 21


def parallel_dot(x, y):
    """``x @ y`` for matrices, in blocks of output rows (or columns) over the worker threads."""
    m, k = x.shape
    n = y.shape[1]
    parts = workers()
    if parts < 2 or m * n * k < MIN_WORK:
        return np.dot(x, y)
    out = np.empty((m, n), dtype=np.result_type(x.dtype, y.dtype))
    if m >= n:
        def rows(bounds):
            a, b = bounds
            np.dot(x[a:b], y, out=out[a:b])
        parallel_map(rows, split(m, parts))
    else:
        def columns(bounds):
            a, b = bounds
            out[:, a:b] = np.dot(x, y[:, a:b])
        parallel_map(columns, split(n, parts))
    return out


class ParallelDot(KernelOp):
    """``x @ y`` for two matrices, computed by :func:`parallel_dot`."""

    __props__ = ()

    def make_node(self, x, y):
        ensure_registered()
        x, y = pt.as_tensor_variable(x), pt.as_tensor_variable(y)
        if x.ndim != 2 or y.ndim != 2:
            raise ValueError('ParallelDot multiplies two matrices, got %d and %d dimensions.'
                             % (x.ndim, y.ndim))
        dtype = pytensor.scalar.upcast(x.dtype, y.dtype)
        return Apply(self, [x, y], [pt.tensor(dtype=dtype,
                                              shape=(x.type.shape[0], y.type.shape[1]))])

    def kernel(self):
        return parallel_dot

    def infer_shape(self, *args):
        node, shapes = args[-2:]  # PyTensor < 3.3 passes fgraph first
        return [(shapes[0][0], shapes[1][1])]

    def pullback(self, inputs, outputs, output_grads):
        x, y = inputs
        g, = output_grads
        return [self(g, y.T), self(x.T, g)]


def substitute(variables):
    """``variables`` rebuilt with every float matrix-by-matrix ``Dot`` as a :class:`ParallelDot`."""

    def rewrite(node, inputs):
        if type(node.op) is Dot and all(v.ndim == 2 and v.dtype.startswith('float')
                                        for v in inputs):
            return [ParallelDot()(*inputs)]
        return None
    return rebuild(variables, rewrite=rewrite)


def _jax_impl(op, node):
    from ..runtime.jax_mode import import_jax
    return import_jax().numpy.dot


register_op(ParallelDot, _jax_impl)
