"""Pooling with Keras 1 semantics on Theano (max, or average excluding padding).

'same' pads ``pool - 2`` (odd pools) or ``pool - 1`` (even pools) cells on
both sides, as Keras 1 asked Theano to, and crops the output to
``ceil(L / stride)``; padding never wins a max nor counts in an average.

>>> from keraslike import backend as K
>>> x = K.placeholder(shape=(None, 3, 7, 7))
>>> y = K.pool2d(x, (3, 3), strides=(2, 2), border_mode='same')   # (None, 3, 4, 4)
"""
from .conv import _check_border_mode, _from_th, _to_th, _tuple
from .ops.pool import Pool
from .shape_ops import _ordering


def theano_pool_padding(border_mode, pool_size):
    """The symmetric padding Keras 1 gives Theano's pooling for ``border_mode``."""
    if border_mode == 'valid':
        return (0,) * len(pool_size)
    return tuple(max(0, p - 2 if p % 2 == 1 else p - 1) for p in pool_size)


def _pool_nd(x, nd, pool_size, strides, border_mode, dim_ordering, pool_mode, who):
    dim_ordering = _ordering(dim_ordering)
    _check_border_mode(border_mode, ('valid', 'same'), who)
    if pool_mode not in ('max', 'avg'):
        raise ValueError('%s: invalid pool_mode %r; expected "max" or "avg".' % (who, pool_mode))
    if x.ndim != nd + 2:
        raise ValueError('%s expects a %dD input, got a %dD tensor.' % (who, nd + 2, x.ndim))
    pool_size = _tuple(pool_size, nd, 'pool_size', who)
    strides = _tuple(strides, nd, 'strides', who)
    # a window larger than a 'valid' input gives a zero-length axis, as Theano's pooling
    # did for Keras 1 (the pooling layers warn about it; the backend stays quiet)
    pad = theano_pool_padding(border_mode, pool_size)
    op = Pool(pool_size, strides, pad, pool_mode, same=border_mode == 'same')
    return _from_th(op(_to_th(x, nd, dim_ordering)), nd, dim_ordering)


def pool2d(x, pool_size, strides=(1, 1), border_mode='valid', dim_ordering='default',
           pool_mode='max'):
    """2D pooling of ``(s, c, rows, cols)`` ('th') or ``(s, rows, cols, c)`` ('tf')."""
    return _pool_nd(x, 2, pool_size, strides, border_mode, dim_ordering, pool_mode, 'pool2d')


def pool3d(x, pool_size, strides=(1, 1, 1), border_mode='valid', dim_ordering='default',
           pool_mode='max'):
    """3D pooling of ``(s, c, d1, d2, d3)`` ('th') or ``(s, d1, d2, d3, c)`` ('tf')."""
    return _pool_nd(x, 3, pool_size, strides, border_mode, dim_ordering, pool_mode, 'pool3d')


def pool1d(x, pool_length, stride=None, border_mode='valid', pool_mode='max'):
    """Temporal pooling of ``(s, steps, features)`` (what MaxPooling1D computes)."""
    stride = pool_length if stride is None else stride
    return _pool_nd(x, 1, pool_length, stride, border_mode, 'tf', pool_mode, 'pool1d')
