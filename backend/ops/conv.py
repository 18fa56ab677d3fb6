"""PyTensor Ops for N-d correlation (1-D to 3-D) and its two gradients.

``Corr`` computes ``y[n, f, o] = sum_{c, k} w[f, c, k] * xpad[n, c, o*s + k*d]``
on channels-first tensors; Keras' true convolution is ``Corr`` of the flipped
kernel (done in ``conv.py``). ``CorrGradInputs`` (also the transposed
convolution) and ``CorrGradWeights`` are its derivatives; all three are
linear in each input, so their gradients are each other and every order of
derivative is available.

>>> import pytensor.tensor as pt
>>> x, w = pt.tensor4('x'), pt.tensor4('w')
>>> y = Corr(kshape=(3, 3), strides=(1, 1), dilation=(1, 1), lo=(0, 0), hi=(0, 0))(x, w)

NumPy kernels (``conv_numpy``) run in the C, Python and Numba modes;
``jax.lax.conv_general_dilated`` (``conv_jax``) runs in JAX mode.
"""
import functools

import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.gradient import DisconnectedType
from pytensor.graph.basic import Apply, Constant

from ..runtime.op_registry import ensure_registered, register_op
from . import conv_jax, conv_numpy
from .kernel_op import KernelOp


def _ints(values):
    return tuple(int(v) for v in values)


def spatial_shape(x, nd):
    """What a gradient Op needs of ``x``'s spatial size: a constant when statically known,
    else ``x`` itself (a *shape donor* whose values are never read).

    Not ``x.shape[-nd:]``: JAX traces that into an array it cannot use as a
    shape, so an input gradient with unknown image sizes would not compile in
    JAX mode; a donor's shape is concrete while tracing, in every mode.
    """
    static = x.type.shape[-nd:]
    if all(s is not None for s in static):
        return pt.as_tensor_variable(np.asarray(static, dtype='int64'))
    return x


def _in_len(in_shape, nd):
    """The spatial size given by a shape vector or by a shape donor (see :func:`spatial_shape`)."""
    return tuple(in_shape.shape[2:]) if np.ndim(in_shape) == nd + 2 else _ints(in_shape)


class _CorrOp(KernelOp):
    """Shared parameters: kernel spatial shape, strides, dilation, low/high padding, groups."""

    __props__ = ('kshape', 'strides', 'dilation', 'lo', 'hi', 'groups')
    #: positions of the inputs that are kernels, not images (their sizes are ``kshape``)
    kernel_inputs = ()

    def __init__(self, kshape, strides, dilation, lo, hi, groups=1):
        self.kshape = _ints(kshape)
        self.strides = _ints(strides)
        self.dilation = _ints(dilation)
        self.lo = _ints(lo)
        self.hi = _ints(hi)
        self.groups = int(groups)
        nd = len(self.kshape)
        if not all(len(v) == nd for v in (self.strides, self.dilation, self.lo, self.hi)):
            raise ValueError('%s: kshape, strides, dilation and padding need %d entries each.'
                             % (type(self).__name__, nd))

    @property
    def nd(self):
        return len(self.kshape)

    def _params(self):
        return dict(strides=self.strides, dilation=self.dilation, lo=self.lo)

    def _related(self, cls):
        return cls(self.kshape, self.strides, self.dilation, self.lo, self.hi, self.groups)

    def out_length(self, length, i):
        """Output length on spatial axis ``i`` for input length ``length`` (int or symbolic)."""
        dk = (self.kshape[i] - 1) * self.dilation[i] + 1
        return (length + self.lo[i] + self.hi[i] - dk) // self.strides[i] + 1

    def _check(self, name, var, what):
        if var.ndim != self.nd + 2:
            raise ValueError('%s: the %s must have %d dimensions (batch, channels, %d spatial), '
                             'got %d.' % (name, what, self.nd + 2, self.nd, var.ndim))


class Corr(_CorrOp):
    """Correlation of ``x`` (N, C, *L) with ``w`` (F, C // groups, *K), plus an optional bias (F,).

    The bias is added inside the kernel, chunk by chunk while the output is
    in cache (``K.bias_add`` moves a layer's bias here).
    """
    kernel_inputs = (1,)

    def make_node(self, x, w, b=None):
        ensure_registered()
        x, w = pt.as_tensor_variable(x), pt.as_tensor_variable(w)
        self._check('Convolution', x, 'input')
        self._check('Convolution', w, 'kernel')
        inputs = [x, w]
        if b is not None:
            b = pt.as_tensor_variable(b)
            if b.ndim != 1:
                raise ValueError('Convolution: the bias must be a vector (one value per '
                                 'filter), got %d dimensions.' % b.ndim)
            inputs.append(b)
        dtype = pytensor.scalar.upcast(*[v.dtype for v in inputs])
        spatial = tuple(None if L is None else self.out_length(L, i)
                        for i, L in enumerate(x.type.shape[2:]))
        return Apply(self, inputs, [pt.tensor(dtype=dtype, shape=(x.type.shape[0],
                                                                  w.type.shape[0]) + spatial)])

    def kernel(self):
        params = dict(hi=self.hi, groups=self.groups, **self._params())

        def corr(x, w, b=None):
            return conv_numpy.conv_forward(x, w, bias=b, **params)
        return corr

    def infer_shape(self, *args):
        node, shapes = args[-2:]  # PyTensor < 3.3 passes fgraph first
        xs, wsh = shapes[:2]
        return [(xs[0], wsh[0]) + tuple(self.out_length(xs[2 + i], i) for i in range(self.nd))]

    def pullback(self, inputs, outputs, output_grads):
        x, w = inputs[:2]
        gy, = output_grads
        grads = [self._related(CorrGradInputs)(w, gy, spatial_shape(x, self.nd)),
                 self._related(CorrGradWeights)(x, gy)]
        if len(inputs) == 3:
            grads.append(ChannelSum()(gy))
        return grads


class ChannelSum(KernelOp):
    """Sum of ``y`` (N, C, *L) over every axis but the channels: a convolution bias' gradient.

    >>> g = ChannelSum()(pt.tensor4('gy'))     # shape (C,)
    """

    __props__ = ()

    def make_node(self, y):
        ensure_registered()
        y = pt.as_tensor_variable(y)
        if y.ndim < 2:
            raise ValueError('ChannelSum: the input needs a batch and a channel axis, got %d '
                             'dimensions.' % y.ndim)
        return Apply(self, [y], [pt.tensor(dtype=y.dtype, shape=(y.type.shape[1],))])

    def kernel(self):
        return conv_numpy.channel_sum

    def infer_shape(self, *args):
        node, shapes = args[-2:]  # PyTensor < 3.3 passes fgraph first
        return [(shapes[0][1],)]

    def pullback(self, inputs, outputs, output_grads):
        y, = inputs
        g, = output_grads
        pattern = ['x', 0] + ['x'] * (y.ndim - 2)
        return [pt.zeros_like(y) + g.dimshuffle(pattern)]


class CorrGradInputs(_CorrOp):
    """Gradient of :class:`Corr` with respect to ``x``, given ``w``, ``gy`` and x's spatial shape.

    This is also the transposed convolution ("deconvolution") of ``gy``. The
    shape is an int vector or a tensor shaped like ``x`` whose values are not
    read (a shape donor, see :func:`spatial_shape`).
    """
    kernel_inputs = (0,)

    def make_node(self, w, gy, in_shape):
        ensure_registered()
        w, gy = pt.as_tensor_variable(w), pt.as_tensor_variable(gy)
        donor = getattr(in_shape, 'ndim', 1) == self.nd + 2
        in_shape = pt.as_tensor_variable(in_shape) if donor else \
            pt.as_tensor_variable(in_shape, dtype='int64')
        self._check('Transposed convolution', w, 'kernel')
        self._check('Transposed convolution', gy, 'input')
        if in_shape.ndim != 1 and not donor:
            raise ValueError('Transposed convolution: the output shape must be a vector.')
        dtype = pytensor.scalar.upcast(w.dtype, gy.dtype)
        if donor:
            spatial = tuple(in_shape.type.shape[2:])
        elif isinstance(in_shape, Constant):
            spatial = _ints(in_shape.data)
        else:
            spatial = (None,) * self.nd
        channels = None if w.type.shape[1] is None else w.type.shape[1] * self.groups
        out = pt.tensor(dtype=dtype, shape=(gy.type.shape[0], channels) + tuple(spatial))
        return Apply(self, [w, gy, in_shape], [out])

    def kernel(self):
        grad_inputs = functools.partial(conv_numpy.conv_grad_inputs, groups=self.groups,
                                        **self._params())
        nd = self.nd

        def corr_grad_inputs(w, gy, in_shape):
            return grad_inputs(w, gy, _in_len(in_shape, nd))
        return corr_grad_inputs

    def infer_shape(self, *args):
        node, shapes = args[-2:]  # PyTensor < 3.3 passes fgraph first
        wsh, gys, donor = shapes
        in_shape = node.inputs[2]
        if in_shape.ndim == self.nd + 2:
            return [(gys[0], wsh[1] * self.groups) + tuple(donor[2:])]
        return [(gys[0], wsh[1] * self.groups) + tuple(in_shape[i] for i in range(self.nd))]

    def connection_pattern(self, node):
        return [[True], [True], [False]]

    def pullback(self, inputs, outputs, output_grads):
        w, gy, in_shape = inputs
        g, = output_grads
        return [self._related(CorrGradWeights)(g, gy), self._related(Corr)(g, w),
                DisconnectedType()()]


class CorrGradWeights(_CorrOp):
    """Gradient of :class:`Corr` with respect to ``w``, given ``x`` and ``gy``."""

    def make_node(self, x, gy):
        ensure_registered()
        x, gy = pt.as_tensor_variable(x), pt.as_tensor_variable(gy)
        self._check('Convolution weight gradient', x, 'input')
        self._check('Convolution weight gradient', gy, 'output gradient')
        dtype = pytensor.scalar.upcast(x.dtype, gy.dtype)
        channels = None if x.type.shape[1] is None else x.type.shape[1] // self.groups
        out = pt.tensor(dtype=dtype, shape=(gy.type.shape[1], channels) + self.kshape)
        return Apply(self, [x, gy], [out])

    def kernel(self):
        return functools.partial(conv_numpy.conv_grad_weights, ksize=self.kshape, hi=self.hi,
                                 groups=self.groups, **self._params())

    def infer_shape(self, *args):
        node, shapes = args[-2:]  # PyTensor < 3.3 passes fgraph first
        xs, gys = shapes
        return [(gys[1], xs[1] // self.groups) + self.kshape]

    def pullback(self, inputs, outputs, output_grads):
        x, gy = inputs
        g, = output_grads
        return [self._related(CorrGradInputs)(g, gy, spatial_shape(x, self.nd)),
                self._related(Corr)(x, g)]


register_op(Corr, conv_jax.corr)
register_op(ChannelSum, conv_jax.channel_sum)
register_op(CorrGradInputs, conv_jax.grad_inputs, cpu_kernel=True)
register_op(CorrGradWeights, conv_jax.grad_weights, cpu_kernel=True)
