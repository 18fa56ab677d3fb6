"""PyTensor Ops for max/average pooling over the last 1-3 axes, and their gradients.

>>> import pytensor.tensor as pt
>>> x = pt.tensor4('x')
>>> y = Pool(ws=(2, 2), strides=(2, 2), pad=(0, 0), mode='max', same=False)(x)

Gradients: ``PoolGrad`` (max: to every tied maximum, as Theano; avg: spread
over the real cells), and for max pooling ``MaxPoolGradGrad`` so that graphs
which differentiate a pooling gradient again (e.g. "what-where" autoencoders)
train. NumPy kernels (``pool_numpy``) serve the C, Python and Numba modes;
``jax.lax.reduce_window`` (``pool_jax``) serves JAX mode, where a max-pool
gradient goes to one maximum per window (JAX's rule) instead of all ties.
"""
import functools

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Apply

from ..runtime.op_registry import ensure_registered, register_op
from . import pool_jax, pool_numpy
from .kernel_op import KernelOp


class _PoolOp(KernelOp):
    __props__ = ('ws', 'strides', 'pad', 'mode', 'same')

    def __init__(self, ws, strides, pad, mode='max', same=False):
        self.ws = tuple(int(v) for v in ws)
        self.strides = tuple(int(v) for v in strides)
        self.pad = tuple(int(v) for v in pad)
        if mode not in ('max', 'avg'):
            raise ValueError('Invalid pooling mode: %r; expected "max" or "avg".' % (mode,))
        self.mode = mode
        self.same = bool(same)

    @property
    def nd(self):
        return len(self.ws)

    def _related(self, cls, **changes):
        props = dict(ws=self.ws, strides=self.strides, pad=self.pad, mode=self.mode,
                     same=self.same)
        props.update(changes)
        return cls(**props)

    def _params(self):
        return dict(ws=self.ws, strides=self.strides, pad=self.pad, same=self.same)

    def out_length(self, length, i):
        """Output length on pooled axis ``i`` (int or symbolic); 0 where no window fits.

        Theano's ``Pool.out_shape`` gives ``max(out, 0)``, so Keras 1 on Theano pooled a
        'valid' input smaller than the window into a zero-length axis.
        """
        out = (length + 2 * self.pad[i] - self.ws[i]) // self.strides[i] + 1
        if isinstance(length, int):
            if self.same:
                out = min(out, (length + self.strides[i] - 1) // self.strides[i])
            return max(out, 0)
        if self.same:
            out = pt.minimum(out, (length + self.strides[i] - 1) // self.strides[i])
        return pt.maximum(out, 0)


class Pool(_PoolOp):
    def make_node(self, x):
        ensure_registered()
        x = pt.as_tensor_variable(x)
        if x.ndim < self.nd:
            raise ValueError('Pooling over %d axes needs an input with at least %d dimensions, '
                             'got %d.' % (self.nd, self.nd, x.ndim))
        lead = x.type.shape[:-self.nd]
        spatial = tuple(None if L is None else self.out_length(L, i)
                        for i, L in enumerate(x.type.shape[-self.nd:]))
        return Apply(self, [x], [pt.tensor(dtype=x.dtype, shape=lead + spatial)])

    def kernel(self):
        return functools.partial(pool_numpy.pool_forward, mode=self.mode, **self._params())

    def infer_shape(self, *args):
        node, shapes = args[-2:]  # PyTensor < 3.3 passes fgraph first
        xs, = shapes
        lead = tuple(xs[:-self.nd])
        return [lead + tuple(self.out_length(xs[len(lead) + i], i) for i in range(self.nd))]

    def pullback(self, inputs, outputs, output_grads):
        return [self._related(PoolGrad)(inputs[0], outputs[0], output_grads[0])]


class PoolGrad(_PoolOp):
    """Gradient of :class:`Pool` given ``x``, the pooled output and the output gradient."""

    def make_node(self, x, out, gz):
        ensure_registered()
        x, out, gz = (pt.as_tensor_variable(v) for v in (x, out, gz))
        return Apply(self, [x, out, gz], [x.type()])

    def kernel(self):
        return functools.partial(pool_numpy.pool_grad, mode=self.mode, **self._params())

    def infer_shape(self, *args):
        node, shapes = args[-2:]  # PyTensor < 3.3 passes fgraph first
        return [shapes[0]]

    def pullback(self, inputs, outputs, output_grads):
        x, out, gz = inputs
        gg, = output_grads
        if self.mode == 'max':
            d_gz = self._related(MaxPoolGradGrad)(x, out, gg)
        else:
            d_gz = self._related(Pool)(gg)  # average pooling is linear: its transpose's transpose
        # the selection is piecewise constant in x (zero almost everywhere), as in Theano
        return [pt.zeros_like(x), pt.zeros_like(out), d_gz]


class MaxPoolGradGrad(_PoolOp):
    """``gg`` (shaped like x) gathered at each window's maxima: the derivative of PoolGrad in gz."""

    def make_node(self, x, out, gg):
        ensure_registered()
        x, out, gg = (pt.as_tensor_variable(v) for v in (x, out, gg))
        return Apply(self, [x, out, gg], [out.type()])

    def kernel(self):
        return functools.partial(pool_numpy.max_pool_grad_grad, **self._params())

    def infer_shape(self, *args):
        node, shapes = args[-2:]  # PyTensor < 3.3 passes fgraph first
        return [shapes[1]]

    def pullback(self, inputs, outputs, output_grads):
        x, out, gg = inputs
        g, = output_grads
        return [pt.zeros_like(x), pt.zeros_like(out), self._related(PoolGrad)(x, out, g)]


register_op(Pool, pool_jax.pool)
register_op(PoolGrad, pool_jax.pool_grad, cpu_kernel=True)
register_op(MaxPoolGradGrad, pool_jax.max_pool_grad_grad)
