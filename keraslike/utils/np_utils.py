"""Numpy helpers (``keras.utils.np_utils``), Keras 1.2.2 semantics.

>>> to_categorical([0, 2], 3).tolist()
[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
>>> conv_output_length(28, 3, 'valid', 1)
26
"""
import numpy as np

from .generic_utils import check_int_arg


def to_categorical(y, nb_classes=None, num_classes=None):
    """Class vector (ints ``0..nb_classes-1``) to a float one-hot matrix.

    ``num_classes`` is the Keras 2 spelling of ``nb_classes``. A falsy count
    means ``max(y) + 1``.

    >>> to_categorical([1, 0]).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    if num_classes is not None:
        if nb_classes is not None and nb_classes != num_classes:
            raise ValueError('Got both nb_classes=%r and num_classes=%r.'
                             % (nb_classes, num_classes))
        nb_classes = num_classes
    y = _class_labels(y)
    if nb_classes:
        nb_classes = check_int_arg(nb_classes, 'nb_classes', 'to_categorical')
    elif not y.size:
        raise ValueError('to_categorical: cannot infer nb_classes from an empty label vector; '
                         'pass nb_classes.')
    else:
        nb_classes = int(np.max(y)) + 1
    if y.size and y.max() >= nb_classes:
        raise ValueError('to_categorical: labels must be in [0, nb_classes=%d), got label %d.'
                         % (nb_classes, y.max()))
    n = y.shape[0]
    categorical = np.zeros((n, nb_classes))
    categorical[np.arange(n), y] = 1
    return categorical


def _class_labels(y):
    """``y`` as a flat int array of class indices, refusing what Keras 1 silently mangled.

    Keras 1 cast with ``np.array(y, dtype='int')``: 1.7 became class 1, and a label
    -1 indexed the last column. Integral floats (labels read as floats) still pass.
    """
    arr = np.asarray(y)
    if arr.dtype.kind == 'f':
        bad = arr[~np.isfinite(arr) | (arr != np.round(arr))] if arr.size else arr
        if bad.size:
            raise ValueError('to_categorical: class labels must be integers, got %r.'
                             % (float(bad.ravel()[0]),))
    try:
        labels = np.array(arr, dtype='int').ravel()
    except (TypeError, ValueError):
        raise ValueError('to_categorical: class labels must be integers, got an array of '
                         'dtype %s.' % arr.dtype)
    if labels.size and labels.min() < 0:
        raise ValueError('to_categorical: class labels must be >= 0, got %d.' % labels.min())
    return labels


def normalize(a, axis=-1, order=2):
    """Divide ``a`` by its ``order``-norm along ``axis`` (zero norms left as is).

    >>> normalize(np.array([[3., 4.]])).tolist()
    [[0.6, 0.8]]
    """
    l2 = np.atleast_1d(np.linalg.norm(a, order, axis))
    l2[l2 == 0] = 1
    return a / np.expand_dims(l2, axis)


def binary_logloss(p, y):
    """Mean binary log loss with predictions clipped to ``[1e-15, 1 - 1e-15]``.

    >>> round(float(binary_logloss(np.array([0.5]), np.array([1]))), 4)
    0.6931
    """
    epsilon = 1e-15
    p = np.maximum(epsilon, p)
    p = np.minimum(1 - epsilon, p)
    res = np.sum(y * np.log(p) + np.subtract(1, y) * np.log(np.subtract(1, p)), axis=0)
    res *= -1.0 / len(y)
    return res


def multiclass_logloss(p, y):
    """Mean log loss; labels in ``y`` are 1-based (``p[i][y[i] - 1]``, as Keras 1).

    >>> round(float(multiclass_logloss(np.array([[0.5, 0.5]]), [1])), 4)
    0.6931
    """
    npreds = [p[i][y[i] - 1] for i in range(len(y))]
    return -(1. / len(y)) * np.sum(np.log(npreds))


def accuracy(p, y):
    """Fraction of equal pairs.

    >>> float(accuracy([1, 0, 1], [1, 1, 1]))
    0.6666666666666666
    """
    return np.mean([a == b for a, b in zip(p, y)])


def probas_to_classes(y_pred):
    """Argmax for 2D multi-column input, else threshold ``p > 0.5``.

    >>> probas_to_classes(np.array([0.2, 0.7])).tolist()
    [0, 1]
    """
    if len(y_pred.shape) > 1 and y_pred.shape[1] > 1:
        return categorical_probas_to_classes(y_pred)
    return np.array([1 if p > 0.5 else 0 for p in y_pred])


def categorical_probas_to_classes(p):
    """``np.argmax(p, axis=1)``.

    >>> categorical_probas_to_classes(np.array([[0.1, 0.9]])).tolist()
    [1]
    """
    return np.argmax(p, axis=1)


def convert_kernel(kernel, dim_ordering=None):
    """Flip the spatial axes of a conv kernel (Theano <-> TensorFlow; self-inverse).

    ``'th'`` kernels are ``(out, in, *spatial)``, ``'tf'`` kernels
    ``(*spatial, in, out)``; 3D (conv1d), 4D and 5D kernels are accepted.
    ``dim_ordering=None`` reads ``K.image_dim_ordering()``.

    >>> convert_kernel(np.arange(4.).reshape(2, 2, 1, 1), 'tf')[:, :, 0, 0].tolist()
    [[3.0, 2.0], [1.0, 0.0]]
    """
    if dim_ordering is None:
        from keraslike import backend as K
        dim_ordering = K.image_dim_ordering()
    dim_ordering = {'channels_first': 'th',
                    'channels_last': 'tf'}.get(dim_ordering, dim_ordering)
    kernel = np.asarray(kernel)
    if not 3 <= kernel.ndim <= 5:
        raise ValueError('Invalid kernel shape:', kernel.shape)
    slices = [slice(None, None, -1) for _ in range(kernel.ndim)]
    no_flip = [slice(None, None), slice(None, None)]
    if dim_ordering == 'th':  # (out_depth, input_depth, ...)
        slices[:2] = no_flip
    elif dim_ordering == 'tf':  # (..., input_depth, out_depth)
        slices[-2:] = no_flip
    else:
        raise ValueError('Invalid dim_ordering:', dim_ordering)
    return np.copy(kernel[tuple(slices)])


def conv_output_length(input_length, filter_size, border_mode, stride, dilation=1):
    """Output length of a convolution along one axis (``None`` passes through).

    >>> conv_output_length(10, 3, 'same', 2), conv_output_length(10, 3, 'full', 1)
    (5, 12)
    """
    if input_length is None:
        return None
    assert border_mode in {'same', 'valid', 'full'}
    dilated_filter_size = filter_size + (filter_size - 1) * (dilation - 1)
    if border_mode == 'same':
        output_length = input_length
    elif border_mode == 'valid':
        output_length = input_length - dilated_filter_size + 1
    else:  # 'full'
        output_length = input_length + dilated_filter_size - 1
    return (output_length + stride - 1) // stride


def conv_input_length(output_length, filter_size, border_mode, stride):
    """Input length that yields ``output_length`` (``(out-1)*stride - 2*pad + filter``).

    >>> conv_input_length(26, 3, 'valid', 1)
    28
    """
    if output_length is None:
        return None
    assert border_mode in {'same', 'valid', 'full'}
    if border_mode == 'same':
        pad = filter_size // 2
    elif border_mode == 'valid':
        pad = 0
    else:  # 'full'
        pad = filter_size - 1
    return (output_length - 1) * stride - 2 * pad + filter_size
