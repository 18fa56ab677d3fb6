"""Argument normalisation shared by the image layers (convolution, pooling, reshaping).

>>> normalize_tuple(2, 3, '`size`', 'Layer UpSampling3D')
(2, 2, 2)
>>> normalize_dim_ordering('th')
'th'
"""
from keraslike import backend as K
from .generic_utils import check_int_arg


def normalize_dim_ordering(dim_ordering, owner=None):
    """``'th'`` or ``'tf'``; ``'default'`` means ``K.image_dim_ordering()``.

    Anything else is a ValueError (prefixed with ``owner``, e.g. ``'ConvLSTM2D'``),
    at construction rather than as a shape error when the layer is called.
    """
    if dim_ordering == 'default':
        dim_ordering = K.image_dim_ordering()
    if dim_ordering not in ('th', 'tf'):
        raise ValueError('%sInvalid dim_ordering: %r; expected "th" or "tf".'
                         % (owner + ': ' if owner else '', dim_ordering))
    return dim_ordering


def normalize_tuple(value, n, what, owner):
    """``value`` (one size for every axis, or ``n`` sizes) as a tuple of ``n`` Python ints.

    Sizes follow :func:`~keraslike.utils.generic_utils.check_int_arg` (numpy ints and
    integral floats pass); anything else is a ValueError naming ``owner`` and ``what``
    (``'the kernel size'``, ``'`size`'``...).
    """
    given = tuple(value) if hasattr(value, '__iter__') else (value,) * n
    try:
        sizes = tuple(check_int_arg(v, what, owner) for v in given)
    except (TypeError, ValueError):
        sizes = None
    if sizes is None or len(sizes) != n:
        raise ValueError('%s: %s must be %d positive integers, got %r.' % (owner, what, n, given))
    return sizes
