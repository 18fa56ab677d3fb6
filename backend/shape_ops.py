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


# Building a layer must cost the same however deep the graph above it is. PyTensor's
# ``repeat``, ``tile``, ``broadcast_to``, ``alloc``/``zeros`` of a symbolic shape and ``pad``
# all call ``infer_static_shape``, which clones and shape-infers the whole graph above
# ``x`` (a 24-block ZeroPadding2D+conv+concat stack took 83 s to build). The ops below
# broadcast against a constant instead (``second(a, b)``: ``b``'s values at the broadcast
# shape), and reshape to sizes read off ``x``'s static type: both only look at their
# direct inputs.
def _dims(x):
    """Each axis' size: the static int where the type knows it, else ``x.shape[i]``."""
    return [s if s is not None else x.shape[i] for i, s in enumerate(x.type.shape)]


def _spread(x, axis, n):
    """``x``, which has size 1 on ``axis``, broadcast to size ``n`` there (an O(1) build)."""
    shape = [1] * x.ndim
    shape[axis] = n
    return pt.second(np.zeros(shape, dtype='int8'), x)


def _is_int(n):
    return isinstance(n, (int, np.integer)) and not isinstance(n, bool)


def repeat_elements(x, rep, axis):
    """Repeat each element ``rep`` times along ``axis`` (like ``np.repeat``)."""
    if not _is_int(rep) or rep < 1:
        return pt.repeat(x, rep, axis=axis)
    x = pt.as_tensor_variable(x)
    axis = axis % x.ndim
    if rep == 1:
        return x
    dims = _dims(x)
    size = x.type.shape[axis]
    dims[axis] = size * rep if size is not None else x.shape[axis] * rep
    return pt.reshape(_spread(pt.shape_padaxis(x, axis + 1), axis + 1, int(rep)), dims,
                      ndim=x.ndim)


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
    if not _is_int(n):
        return pt.repeat(pt.shape_padaxis(x, 1), n, axis=1)
    return _spread(pt.shape_padaxis(x, 1), 1, int(n))


def arange(start, stop=None, step=1, dtype='int32'):
    return pt.arange(start, stop, step, dtype=dtype)


def tile(x, n):
    """``np.tile``: ``x`` repeated ``n`` times (an int, or one int per axis)."""
    reps = (n,) if _is_int(n) else tuple(n) if isinstance(n, (list, tuple)) else None
    x = pt.as_tensor_variable(x)
    if reps is None or not all(_is_int(r) and r >= 1 for r in reps) or len(reps) > x.ndim:
        return pt.tile(x, n)
    reps = (1,) * (x.ndim - len(reps)) + tuple(int(r) for r in reps)
    for axis, r in enumerate(reps):
        if r == 1:
            continue
        # a new axis of r copies before ``axis``, merged into it: copies follow each other
        dims = _dims(x)
        size = x.type.shape[axis]
        dims[axis] = size * r if size is not None else x.shape[axis] * r
        x = pt.reshape(_spread(pt.shape_padaxis(x, axis), axis, r), dims, ndim=x.ndim)
    return x


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


def zero_pad(x, pads):
    """Zero-pad ``x``; ``pads`` is one (before, after) pair of ints per axis.

    Each padded axis is one concatenation of zero blocks and ``x``. A block is
    a zero constant broadcast against ``sum(x, axis, keepdims=True)``, which
    gives it ``x``'s other sizes (the batch size included) without a symbolic
    shape: building costs the same at any depth (``pt.pad`` and ``alloc``
    shape-infer the whole graph above ``x``), and the compiled graph has no
    padding sub-graph (measured 10-40 s cold per padding shape with ``pt.pad``).
    Only the shape of the sum is used: the compiler's rewrites drop the sum itself.
    """
    x = pt.as_tensor_variable(x)
    for axis, (before, after) in enumerate(pads):
        before, after = int(before), int(after)
        if before < 0 or after < 0:
            raise ValueError('Padding must be >= 0; got %s on axis %d.' % ((before, after), axis))
        if not before and not after:
            continue
        like = pt.sum(x, axis=axis, keepdims=True)   # size 1 on axis, even for an empty x
        parts = [_spread(pt.second(like, np.zeros((), dtype=x.dtype)), axis, n)
                 for n in (before, after)]
        x = pt.concatenate(([parts[0]] if before else []) + [x] + ([parts[1]] if after else []),
                           axis=axis)
    return x


def temporal_padding(x, padding=1):
    return asymmetric_temporal_padding(x, padding, padding)


def asymmetric_temporal_padding(x, left_pad=1, right_pad=1):
    return zero_pad(x, [(0, 0), (left_pad, right_pad), (0, 0)])


def spatial_2d_padding(x, padding=(1, 1), dim_ordering='default'):
    return asymmetric_spatial_2d_padding(x, padding[0], padding[0], padding[1], padding[1],
                                         dim_ordering)


def asymmetric_spatial_2d_padding(x, top_pad=1, bottom_pad=1, left_pad=1, right_pad=1,
                                  dim_ordering='default'):
    spatial = [(top_pad, bottom_pad), (left_pad, right_pad)]
    if _ordering(dim_ordering) == 'th':
        return zero_pad(x, [(0, 0), (0, 0)] + spatial)
    return zero_pad(x, [(0, 0)] + spatial + [(0, 0)])


def spatial_3d_padding(x, padding=(1, 1, 1), dim_ordering='default'):
    """``padding``: one int per spatial axis, or (as in Keras 2) one (before, after) pair."""
    spatial = [tuple(p) if isinstance(p, (tuple, list)) else (p, p) for p in padding]
    if _ordering(dim_ordering) == 'th':
        return zero_pad(x, [(0, 0), (0, 0)] + spatial)
    return zero_pad(x, [(0, 0)] + spatial + [(0, 0)])


def is_explicit_shape(shape):
    return all(isinstance(s, (int, np.integer)) for s in shape)
