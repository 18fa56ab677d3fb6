"""Convolutions with Keras 1 semantics on Theano: true convolution (flipped kernel).

``border_mode`` is 'valid', 'same' (Theano's 'half': output ``ceil(L / stride)``;
even kernels pad one less cell at the end) or 'full'; ``dim_ordering`` is
'th' (channels first, kernels ``(out, in, *k)``) or 'tf' (channels last,
kernels ``(*k, in, out)``). Weights trained with Keras 1 on Theano give the
same outputs here.

>>> from keraslike import backend as K
>>> import numpy as np
>>> x = K.placeholder(shape=(None, 1, 28, 28))
>>> w = K.variable(np.random.rand(32, 1, 3, 3))
>>> y = K.conv2d(x, w, border_mode='same')     # (None, 32, 28, 28)
"""
import numpy as np

from .ops.conv import Corr, CorrGradInputs
from .shape_ops import _ordering
from .variables import int_shape

_BORDER_MODES = ('valid', 'same', 'full')


def _check_border_mode(border_mode, allowed=_BORDER_MODES, who='Convolution'):
    if border_mode not in allowed:
        raise ValueError('%s: invalid border_mode %r; expected one of %s.'
                         % (who, border_mode, ', '.join(repr(b) for b in allowed)))


def border_padding(border_mode, ksize, dilation):
    """Low and high zero padding per axis for a Keras 1 (Theano) border mode."""
    _check_border_mode(border_mode)
    lo, hi = [], []
    for k, d in zip(ksize, dilation):
        dk = (k - 1) * d + 1
        if border_mode == 'valid':
            a, b = 0, 0
        elif border_mode == 'full':
            a, b = dk - 1, dk - 1
        else:  # Theano 'half' pads dk // 2; Keras crops the extra output of even kernels
            a, b = dk // 2, dk - 1 - dk // 2
        lo.append(a)
        hi.append(b)
    return tuple(lo), tuple(hi)


def _tuple(value, n, what, who):
    if isinstance(value, (int, np.integer)):
        value = (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n or any(v < 1 for v in value):
        raise ValueError('%s: %s must be %d positive integers, got %r.' % (who, what, n, value))
    return value


def _static_shape(x):
    shape = getattr(x, '_keras_shape', None)
    if shape is None:
        shape = getattr(getattr(x, 'type', None), 'shape', None)
    return tuple(shape) if shape is not None else (None,) * x.ndim


def _kernel_shape(kernel, filter_shape, nd, who):
    shape = int_shape(kernel)
    if (shape is None or None in shape) and filter_shape is not None:
        shape = tuple(filter_shape)
    if shape is None or len(shape) != nd + 2 or None in shape:
        raise ValueError('%s: the kernel needs a known %dD shape, got %s.'
                         % (who, nd + 2, shape))
    return tuple(int(s) for s in shape)


def _check_input(x, nd, dim_ordering, who):
    if x.ndim != nd + 2:
        layout = ('(samples, channels, %s)' if dim_ordering == 'th' else '(samples, %s, channels)')
        raise ValueError('%s expects a %dD input %s, got a %dD tensor.'
                         % (who, nd + 2, layout % ', '.join(['dim'] * nd), x.ndim))


def _check_fits(spatial, ksize, dilation, border_mode, who):
    if border_mode != 'valid':
        return
    for L, k, d in zip(spatial, ksize, dilation):
        dk = (k - 1) * d + 1
        if L is not None and L < dk:
            raise ValueError('%s: the kernel %s (dilation %s) is larger than the input %s with '
                             'border_mode="valid".' % (who, tuple(ksize), tuple(dilation),
                                                       tuple(spatial)))


def _to_th(x, nd, dim_ordering):
    if dim_ordering == 'tf':
        return x.dimshuffle((0, nd + 1) + tuple(range(1, nd + 1)))
    return x


def _tf_order(nd):
    """The transpose that takes a channels-first tensor to channels-last."""
    return (0,) + tuple(range(2, nd + 2)) + (1,)


def _from_th(y, nd, dim_ordering):
    if dim_ordering == 'tf':
        return y.dimshuffle(_tf_order(nd))
    return y


def _th_kernel(kernel, nd, dim_ordering):
    """A 'th' kernel ``(out, in, *k)`` from either layout (tf kernels are ``(*k, in, out)``)."""
    if dim_ordering == 'tf':
        return kernel.dimshuffle((nd + 1, nd) + tuple(range(nd)))
    return kernel


def _flip(kernel, nd):
    return kernel[(slice(None), slice(None)) + (slice(None, None, -1),) * nd]


def _convolve(x, kernel, kshape, strides, dilation, border_mode, groups=1):
    """True N-d convolution of channels-first ``x`` with an ``(out, in/groups, *k)`` kernel."""
    lo, hi = border_padding(border_mode, kshape, dilation)
    return Corr(kshape, strides, dilation, lo, hi, groups)(x, _flip(kernel, len(kshape)))


def _conv_nd(x, kernel, nd, strides, border_mode, dim_ordering, filter_shape, dilation, who):
    dim_ordering = _ordering(dim_ordering)
    _check_border_mode(border_mode, who=who)
    _check_input(x, nd, dim_ordering, who)
    strides = _tuple(strides, nd, 'strides', who)
    dilation = _tuple(dilation, nd, 'filter_dilation', who)
    shape = _kernel_shape(kernel, filter_shape, nd, who)
    kshape = shape[2:] if dim_ordering == 'th' else shape[:nd]
    in_channels = shape[1] if dim_ordering == 'th' else shape[nd]
    xs = _static_shape(x)
    spatial = xs[2:] if dim_ordering == 'th' else xs[1:-1]
    channels = xs[1] if dim_ordering == 'th' else xs[-1]
    if channels is not None and channels != in_channels:
        raise ValueError('%s: the input has %d channels but the kernel %s expects %d.'
                         % (who, channels, shape, in_channels))
    _check_fits(spatial, kshape, dilation, border_mode, who)
    y = _convolve(_to_th(x, nd, dim_ordering), _th_kernel(kernel, nd, dim_ordering), kshape,
                  strides, dilation, border_mode)
    return _from_th(y, nd, dim_ordering)


def conv2d(x, kernel, strides=(1, 1), border_mode='valid', dim_ordering='default',
           image_shape=None, filter_shape=None, filter_dilation=(1, 1)):
    """2D convolution; th: x ``(s, c, rows, cols)``, kernel ``(nb_filter, c, nb_row, nb_col)``."""
    return _conv_nd(x, kernel, 2, strides, border_mode, dim_ordering, filter_shape,
                    filter_dilation, 'conv2d')


def conv3d(x, kernel, strides=(1, 1, 1), border_mode='valid', dim_ordering='default',
           volume_shape=None, filter_shape=None, filter_dilation=(1, 1, 1)):
    """3D convolution; th: x ``(s, c, d1, d2, d3)``, kernel ``(nb_filter, c, k1, k2, k3)``."""
    return _conv_nd(x, kernel, 3, strides, border_mode, dim_ordering, filter_shape,
                    filter_dilation, 'conv3d')


def atrous_conv2d(x, kernel, rate=1, border_mode='valid', dim_ordering='default',
                  image_shape=None, filter_shape=None):
    """Dilated 2D convolution: kernel taps ``rate`` cells apart."""
    return _conv_nd(x, kernel, 2, (1, 1), border_mode, dim_ordering, filter_shape,
                    _tuple(rate, 2, 'rate', 'atrous_conv2d'), 'atrous_conv2d')


def conv1d(x, kernel, stride=1, border_mode='valid', image_shape=None, filter_shape=None,
           filter_dilation=1):
    """Temporal convolution of ``(s, steps, input_dim)`` with ``(length, input_dim, nb_filter)``.

    The 4D kernel of Keras 1's Convolution1D, ``(length, 1, input_dim, nb_filter)``, works too.
    """
    if kernel.ndim == 4:
        shape = _kernel_shape(kernel, filter_shape, 2, 'conv1d')
        kernel = kernel[:, 0]
        filter_shape = (shape[0], shape[2], shape[3])
    elif filter_shape is not None and len(filter_shape) == 4:
        filter_shape = (filter_shape[0], filter_shape[2], filter_shape[3])
    # (steps, in, out) is the 'tf' layout of a 1D kernel
    return _conv_nd(x, kernel, 1, stride, border_mode, 'tf', filter_shape, filter_dilation,
                    'conv1d')


def deconv2d(x, kernel, output_shape, strides=(1, 1), border_mode='valid',
             dim_ordering='default', image_shape=None, filter_shape=None):
    """Transposed convolution ("deconvolution"): Theano's gradient of conv2d in its input.

    th: x ``(s, c_in, rows, cols)``, kernel ``(nb_filter, c_in, nb_row, nb_col)``
    (Keras 1 Deconvolution2D's ``W``), output ``(s, nb_filter) + output_shape[2:]``.
    ``output_shape`` is the full output shape; only its spatial part is used.
    """
    dim_ordering = _ordering(dim_ordering)
    who = 'deconv2d'
    _check_border_mode(border_mode, who=who)
    _check_input(x, 2, dim_ordering, who)
    strides = _tuple(strides, 2, 'strides', who)
    shape = _kernel_shape(kernel, filter_shape, 2, who)
    kernel = _th_kernel(kernel, 2, dim_ordering)            # (nb_filter, c_in, r, c)
    kshape = shape[2:] if dim_ordering == 'th' else shape[:2]
    out_spatial = tuple(output_shape[2:] if dim_ordering == 'th' else output_shape[1:3])
    if None in out_spatial:
        raise ValueError('deconv2d: output_shape %s needs known spatial sizes.' % (output_shape,))
    lo, hi = border_padding(border_mode, kshape, (1, 1))
    # the forward convolution maps nb_filter channels to c_in: its kernel is W^T, flipped
    forward_kernel = _flip(kernel.dimshuffle(1, 0, 2, 3), 2)
    op = CorrGradInputs(kshape, strides, (1, 1), lo, hi)
    y = op(forward_kernel, _to_th(x, 2, dim_ordering), np.asarray(out_spatial, dtype='int64'))
    return _from_th(y, 2, dim_ordering)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), border_mode='valid',
                     dim_ordering='default'):
    """Depthwise convolution (one filter set per input channel) then a 1x1 convolution.

    th kernels: depthwise ``(depth_multiplier, c_in, r, c)``, pointwise
    ``(nb_filter, depth_multiplier * c_in, 1, 1)``; tf: ``(r, c, c_in, dm)`` and
    ``(1, 1, dm * c_in, nb_filter)``. Kernels are flipped like every convolution
    here; depthwise output channel ``c * dm + m`` comes from input channel ``c``.
    """
    dim_ordering = _ordering(dim_ordering)
    who = 'separable_conv2d'
    _check_border_mode(border_mode, ('valid', 'same'), who)
    _check_input(x, 2, dim_ordering, who)
    strides = _tuple(strides, 2, 'strides', who)
    dshape = _kernel_shape(depthwise_kernel, None, 2, who)
    pshape = _kernel_shape(pointwise_kernel, None, 2, who)
    depthwise = _th_kernel(depthwise_kernel, 2, dim_ordering)   # (dm, c_in, r, c)
    pointwise = _th_kernel(pointwise_kernel, 2, dim_ordering)   # (nb_filter, dm * c_in, 1, 1)
    dm, c_in = (dshape[0], dshape[1]) if dim_ordering == 'th' else (dshape[3], dshape[2])
    kshape = dshape[2:] if dim_ordering == 'th' else dshape[:2]
    pk = pshape[2:] if dim_ordering == 'th' else pshape[:2]
    if pk != (1, 1):
        raise ValueError('separable_conv2d: the pointwise kernel must be 1x1, got %s.' % (pshape,))
    xs = _static_shape(x)
    _check_fits(xs[2:] if dim_ordering == 'th' else xs[1:3], kshape, (1, 1), border_mode, who)
    grouped = depthwise.dimshuffle(1, 0, 2, 3).reshape((c_in * dm, 1) + kshape)
    y = _convolve(_to_th(x, 2, dim_ordering), grouped, kshape, strides, (1, 1), border_mode,
                  groups=c_in)
    y = _convolve(y, pointwise, (1, 1), (1, 1), (1, 1), 'valid')
    return _from_th(y, 2, dim_ordering)


_DATA_FORMATS = {'th': 'th', 'channels_first': 'th', 'tf': 'tf', 'channels_last': 'tf'}


def bias_add(x, bias, data_format=None):
    """``x`` plus a per-channel ``bias`` (Keras 2's ``K.bias_add``; 'th'/'tf' accepted too).

    The channel axis is 1 for 'th' ('channels_first') and the last axis for
    'tf' ('channels_last'); ``None`` means ``K.image_dim_ordering()``. When
    ``x`` comes straight from a convolution, the bias goes into the
    convolution itself and is added in its kernel, while the output is in
    cache, rather than in a second pass over the whole output::

        y = K.bias_add(K.conv2d(x, w), b)      # one Corr node with a bias input
    """
    dim_ordering = _ordering(_DATA_FORMATS.get(data_format, data_format or 'default'))
    if bias.ndim != 1:
        raise ValueError('bias_add: the bias must be a vector (one value per channel), got '
                         'shape %s.' % (int_shape(bias),))
    if x.ndim < 3:
        return x + bias
    fused = _bias_into_corr(x, bias, dim_ordering)
    if fused is not None:
        return fused
    pattern = ['x'] * x.ndim
    pattern[1 if dim_ordering == 'th' else -1] = 0
    return x + bias.dimshuffle(pattern)


def _bias_into_corr(x, bias, dim_ordering):
    """``x``'s convolution redone with ``bias`` as its third input, or None if x is not one."""
    nd = x.ndim - 2
    y = x
    if dim_ordering == 'tf':   # look through _from_th's transpose
        node = y.owner
        if node is None or getattr(node.op, 'new_order', None) != _tf_order(nd):
            return None
        y = node.inputs[0]
    node = y.owner
    if node is None or type(node.op) is not Corr or len(node.inputs) != 2 \
            or bias.dtype != y.dtype:
        return None
    filters = node.inputs[1].type.shape[0]
    size = int_shape(bias)[0]
    if filters is not None and size is not None and filters != size:
        raise ValueError('bias_add: the bias has %d values but the convolution has %d filters.'
                         % (size, filters))
    return _from_th(node.op(*node.inputs, bias), nd, dim_ordering)
