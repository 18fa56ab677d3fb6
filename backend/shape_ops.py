"""Shape manipulation: concatenate, reshape, permute, repeat, tile, padding, ...

>>> from keraslike import backend as K
>>> x = K.placeholder(shape=(None, 4))
>>> K.repeat(x, 3).ndim
3
"""
import numpy as np
import pytensor.tensor as pt

from .config import image_dim_ordering


def _ordering(dim_ordering):
    if dim_ordering == 'default':
        dim_ordering = image_dim_ordering()
    if dim_ordering not in ('th', 'tf'):
        raise ValueError('Unknown dim_ordering: %r' % (dim_ordering,))
    return dim_ordering


def concatenate(tensors, axis=-1):
    return pt.concatenate(list(tensors), axis=axis)


def reshape(x, shape):
    return pt.reshape(x, shape)


def permute_dimensions(x, pattern):
    return x.dimshuffle(tuple(pattern))


def repeat_elements(x, rep, axis):
    """Repeat each element ``rep`` times along ``axis`` (like ``np.repeat``)."""
    return pt.repeat(x, rep, axis=axis)


def resize_images(X, height_factor, width_factor, dim_ordering):
    """Nearest-neighbour upsampling of the two spatial axes."""
    axes = (2, 3) if _ordering(dim_ordering) == 'th' else (1, 2)
    out = repeat_elements(X, height_factor, axes[0])
    return repeat_elements(out, width_factor, axes[1])


def resize_volumes(X, depth_factor, height_factor, width_factor, dim_ordering):
    axes = (2, 3, 4) if _ordering(dim_ordering) == 'th' else (1, 2, 3)
    out = X
    for axis, factor in zip(axes, (depth_factor, height_factor, width_factor)):
        out = repeat_elements(out, factor, axis)
    return out


def repeat(x, n):
    """(samples, dim) -> (samples, n, dim)."""
    return pt.repeat(pt.shape_padaxis(x, 1), n, axis=1)


def arange(start, stop=None, step=1, dtype='int32'):
    return pt.arange(start, stop, step, dtype=dtype)


def tile(x, n):
    return pt.tile(x, n)


def flatten(x):
    return pt.flatten(x)


def batch_flatten(x):
    """(samples, d1, d2, ...) -> (samples, d1*d2*...)."""
    return pt.reshape(x, (x.shape[0], pt.prod(x.shape[1:])), ndim=2)


def expand_dims(x, dim=-1):
    if dim < 0:
        dim = x.ndim + dim + 1
    return pt.shape_padaxis(x, dim)


def squeeze(x, axis):
    return pt.squeeze(x, axis=axis)


def stack(x, axis=0):
    return pt.stack(list(x), axis=axis)


def one_hot(indices, nb_classes):
    """Integer tensor (..., ) -> float one-hot tensor (..., nb_classes)."""
    from .config import floatx
    return pt.cast(pt.eq(pt.shape_padright(indices), pt.arange(nb_classes)), floatx())


def reverse(x, axes):
    if isinstance(axes, int):
        axes = [axes]
    index = [slice(None)] * x.ndim
    for a in axes:
        index[a] = slice(None, None, -1)
    return x[tuple(index)]


def pattern_broadcast(x, broadcastable):
    return pt.specify_broadcastable(x, *[i for i, b in enumerate(broadcastable) if b])


def _pad(x, pads):
    """Zero-pad ``x``; ``pads`` is one (before, after) pair per axis."""
    if not any(a or b for a, b in pads):
        return x
    return pt.pad(x, [(int(a), int(b)) for a, b in pads], mode='constant')


def temporal_padding(x, padding=1):
    return asymmetric_temporal_padding(x, padding, padding)


def asymmetric_temporal_padding(x, left_pad=1, right_pad=1):
    return _pad(x, [(0, 0), (left_pad, right_pad), (0, 0)])


def spatial_2d_padding(x, padding=(1, 1), dim_ordering='default'):
    return asymmetric_spatial_2d_padding(x, padding[0], padding[0], padding[1], padding[1],
                                         dim_ordering)


def asymmetric_spatial_2d_padding(x, top_pad=1, bottom_pad=1, left_pad=1, right_pad=1,
                                  dim_ordering='default'):
    spatial = [(top_pad, bottom_pad), (left_pad, right_pad)]
    if _ordering(dim_ordering) == 'th':
        return _pad(x, [(0, 0), (0, 0)] + spatial)
    return _pad(x, [(0, 0)] + spatial + [(0, 0)])


def spatial_3d_padding(x, padding=(1, 1, 1), dim_ordering='default'):
    spatial = [(p, p) for p in padding]
    if _ordering(dim_ordering) == 'th':
        return _pad(x, [(0, 0), (0, 0)] + spatial)
    return _pad(x, [(0, 0)] + spatial + [(0, 0)])


def is_explicit_shape(shape):
    return all(isinstance(s, (int, np.integer)) for s in shape)
