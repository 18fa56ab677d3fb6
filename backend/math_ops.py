"""Linear algebra, reductions, element-wise math and comparisons (Keras 1 names).

Comparisons return boolean tensors; reductions of integer or boolean tensors
are taken in ``floatx`` so that ``K.mean(K.equal(a, b))`` is an accuracy.

>>> from keraslike import backend as K
>>> x = K.placeholder(shape=(None, 3))
>>> K.int_shape(K.sum(x, axis=1, keepdims=True))
(None, 1)
"""
import numpy as np
import pytensor.tensor as pt
from pytensor.tensor.shape import shape_i

from .config import epsilon, floatx


def _fx(value):
    """A Python number as a floatx constant, so it never upcasts a float32 graph."""
    return np.asarray(value, dtype=floatx())


def dot(x, y):
    """Matrix product; for nD ``x`` the last axis of ``x`` meets axis -2 (or 0) of ``y``."""
    return pt.dot(x, y)


def batch_dot(x, y, axes=None):
    """Per-sample dot product of two batches, contracting ``axes`` (default: last of x, -2 of y)."""
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = [x.ndim - 1, y.ndim - 2]
    axes = [a % nd for a, nd in zip(axes, (x.ndim, y.ndim))]
    letters = 'abcdefghijklmnopqrstuvwxy'  # z is the batch axis
    x_idx = ['z'] + [letters[i] for i in range(1, x.ndim)]
    y_idx = ['z'] + [letters[x.ndim + i] for i in range(1, y.ndim)]
    y_idx[axes[1]] = x_idx[axes[0]]
    kept = [c for i, c in enumerate(x_idx) if i not in (0, axes[0])] + \
           [c for i, c in enumerate(y_idx) if i not in (0, axes[1])]
    spec = '%s,%s->z%s' % (''.join(x_idx), ''.join(y_idx), ''.join(kept))
    out = pt.einsum(spec, x, y)
    if out.ndim == 1:
        out = pt.shape_padright(out)
    return out


def transpose(x):
    return pt.transpose(x)


def gather(reference, indices):
    """Rows ``reference[indices]`` (as an embedding lookup)."""
    return reference[indices]


def _float_if_discrete(x):
    return pt.cast(x, floatx()) if x.dtype == 'bool' or 'int' in x.dtype else x


def max(x, axis=None, keepdims=False):
    return pt.max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    return pt.min(x, axis=axis, keepdims=keepdims)


def sum(x, axis=None, keepdims=False):
    return pt.sum(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    return pt.prod(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    return pt.mean(_float_if_discrete(x), axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    return pt.var(_float_if_discrete(x), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return pt.sqrt(var(x, axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims=False):
    return pt.any(x, axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return pt.all(x, axis=axis, keepdims=keepdims)


def argmax(x, axis=-1):
    return pt.argmax(x, axis=axis)


def argmin(x, axis=-1):
    return pt.argmin(x, axis=axis)


def square(x):
    return pt.sqr(x)


def abs(x):
    return pt.abs(x)


def sqrt(x):
    # Clipped at 0 as in Keras' Theano backend, so round-off never gives NaN.
    return pt.sqrt(pt.clip(x, _fx(0.), _fx(np.inf)))


def exp(x):
    return pt.exp(x)


def log(x):
    return pt.log(x)


def logsumexp(x, axis=None, keepdims=False):
    return pt.logsumexp(x, axis=axis, keepdims=keepdims)


def round(x):
    return pt.round(x, mode='half_to_even')


def sign(x):
    return pt.sgn(x)


def pow(x, a):
    return pt.pow(x, _fx(a) if isinstance(a, (int, float)) else a)


def clip(x, min_value, max_value):
    """Element-wise clip; ``None`` bounds are open, and max < min is raised to min."""
    lo = -np.inf if min_value is None else min_value
    hi = np.inf if max_value is None else max_value
    if np.isscalar(lo) and np.isscalar(hi) and hi < lo:
        hi = lo
    return pt.clip(x, _fx(lo) if np.isscalar(lo) else lo, _fx(hi) if np.isscalar(hi) else hi)


def equal(x, y):
    return pt.eq(x, y)


def not_equal(x, y):
    return pt.neq(x, y)


def greater(x, y):
    return pt.gt(x, y)


def greater_equal(x, y):
    return pt.ge(x, y)


def lesser(x, y):
    return pt.lt(x, y)


def lesser_equal(x, y):
    return pt.le(x, y)


less = lesser
less_equal = lesser_equal


def maximum(x, y):
    return pt.maximum(x, y)


def minimum(x, y):
    return pt.minimum(x, y)


def sin(x):
    return pt.sin(x)


def cos(x):
    return pt.cos(x)


def l2_normalize(x, axis):
    # the floor goes under the square root: max(sqrt(s), eps) has the same value, but its
    # gradient at an all-zero row is 0 * inf = NaN (a ReLU row of zeros poisons training)
    square_sum = pt.sum(pt.sqr(x), axis=axis, keepdims=True)
    return x / pt.sqrt(pt.maximum(square_sum, _fx(epsilon() ** 2)))


def _reduced_count(x, axes, dtype):
    """How many entries of ``x`` a reduction over ``axes`` takes, as a ``dtype`` scalar.

    The sizes the static type knows multiply into one constant, so the count
    is one or two nodes (``pt.mean`` builds a shape, a cast, a subtensor per
    axis and their product each time: model building is mostly node creation).
    """
    known, unknown = 1, []
    for a in axes:
        size = x.type.shape[a]
        if size is None:
            unknown.append(shape_i(x, a))   # one node; x.shape[a] builds two
        else:
            known *= size
    count = np.asarray(known, dtype=dtype)
    if unknown:
        product = unknown[0]
        for size in unknown[1:]:
            product = product * size
        count = pt.cast(product, dtype) * count if known != 1 else pt.cast(product, dtype)
    return count


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """Batch-normalise ``x`` over ``reduction_axes``; returns (normed, mean, var).

    ``gamma`` and ``beta`` hold one value per kept axis entry; the returned
    mean and variance have the kept axes only. The values are those of
    ``pt.mean``/``pt.var`` (sum divided by the count, in the sum's precision),
    built from one sum each and one centred ``x`` shared by the variance and
    the output.
    """
    reduction_axes = tuple(sorted(set(a % x.ndim for a in reduction_axes)))
    kept = [i for i in range(x.ndim) if i not in reduction_axes]
    pattern = [kept.index(i) if i in kept else 'x' for i in range(x.ndim)]
    if x.dtype not in ('float32', 'float64'):   # pt.mean's own accumulation rules
        m = pt.mean(x, axis=reduction_axes)
        v = pt.var(x, axis=reduction_axes)
        return batch_normalization(x, m.dimshuffle(pattern), v.dimshuffle(pattern),
                                   beta.dimshuffle(pattern), gamma.dimshuffle(pattern),
                                   epsilon), m, v
    total = pt.sum(x, axis=reduction_axes)
    count = _reduced_count(x, reduction_axes, total.dtype)
    m = total / count
    centered = x - m.dimshuffle(pattern)
    v = pt.sum(pt.sqr(centered), axis=reduction_axes) / count
    normed = centered / pt.sqrt(v.dimshuffle(pattern) + _fx(epsilon)) \
        * gamma.dimshuffle(pattern) + beta.dimshuffle(pattern)
    return normed, m, v


def batch_normalization(x, mean, var, beta, gamma, epsilon=1e-3):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` with broadcasting."""
    return (x - mean) / pt.sqrt(var + _fx(epsilon)) * gamma + beta
