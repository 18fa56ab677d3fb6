"""Affine image transforms on single images (arrays with a channel axis), Keras 1.2.2 style.

Transforms are 3x3 homogeneous matrices acting on (row, col) pixel coordinates
and applied per channel with ``scipy.ndimage.affine_transform`` (order 0,
``fill_mode`` = scipy's ``mode``). They map output coordinates to input
coordinates, as scipy does.

>>> import numpy as np
>>> x = np.arange(4.).reshape(1, 2, 2)
>>> flip_axis(x, 2)[0].tolist()
[[1.0, 0.0], [3.0, 2.0]]
"""
import numpy as np


def _ndimage():
    from scipy import ndimage
    return ndimage


def transform_matrix_offset_center(matrix, x, y):
    """Conjugate ``matrix`` so that it acts about the image centre of an ``x`` by ``y`` image.

    >>> transform_matrix_offset_center(np.eye(3), 4, 4).tolist() == np.eye(3).tolist()
    True
    """
    o_x = float(x) / 2 + 0.5
    o_y = float(y) / 2 + 0.5
    offset_matrix = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset_matrix = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return np.dot(np.dot(offset_matrix, matrix), reset_matrix)


def apply_transform(x, transform_matrix, channel_axis=0, fill_mode='nearest', cval=0.):
    """Apply a 3x3 ``transform_matrix`` to each channel of the 3-D image ``x``.

    >>> x = np.arange(9.).reshape(1, 3, 3)
    >>> shift = np.array([[1, 0, 1], [0, 1, 0], [0, 0, 1]])   # output row r reads row r+1
    >>> apply_transform(x, shift, 0, 'constant', -1.)[0].tolist()
    [[3.0, 4.0, 5.0], [6.0, 7.0, 8.0], [-1.0, -1.0, -1.0]]
    """
    ndi = _ndimage()
    x = np.rollaxis(x, channel_axis, 0)
    final_affine_matrix = transform_matrix[:2, :2]
    final_offset = transform_matrix[:2, 2]
    channel_images = [ndi.affine_transform(x_channel, final_affine_matrix, final_offset,
                                           order=0, mode=fill_mode, cval=cval)
                      for x_channel in x]
    x = np.stack(channel_images, axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def flip_axis(x, axis):
    """Reverse ``x`` along ``axis``."""
    x = np.asarray(x).swapaxes(axis, 0)
    x = x[::-1, ...]
    return x.swapaxes(0, axis)


def rotation_matrix(theta):
    """Rotation by ``theta`` radians (3x3)."""
    return np.array([[np.cos(theta), -np.sin(theta), 0],
                     [np.sin(theta), np.cos(theta), 0],
                     [0, 0, 1]])


def shear_matrix(shear):
    """Keras 1's shear by angle ``shear`` radians (3x3)."""
    return np.array([[1, -np.sin(shear), 0],
                     [0, np.cos(shear), 0],
                     [0, 0, 1]])


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest',
                    cval=0.):
    """Rotate by an angle drawn uniformly in ``[-rg, rg]`` degrees."""
    theta = np.pi / 180 * np.random.uniform(-rg, rg)
    h, w = x.shape[row_axis], x.shape[col_axis]
    transform_matrix = transform_matrix_offset_center(rotation_matrix(theta), h, w)
    return apply_transform(x, transform_matrix, channel_axis, fill_mode, cval)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest',
                 cval=0.):
    """Shift by fractions drawn in ``[-hrg, hrg]`` of the height and ``[-wrg, wrg]`` of the
    width."""
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    translation_matrix = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    return apply_transform(x, translation_matrix, channel_axis, fill_mode, cval)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest',
                 cval=0.):
    """Shear by an angle drawn in ``[-intensity, intensity]`` radians."""
    shear = np.random.uniform(-intensity, intensity)
    h, w = x.shape[row_axis], x.shape[col_axis]
    transform_matrix = transform_matrix_offset_center(shear_matrix(shear), h, w)
    return apply_transform(x, transform_matrix, channel_axis, fill_mode, cval)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest',
                cval=0.):
    """Zoom rows and columns by factors drawn independently in ``zoom_range`` (a pair)."""
    if len(zoom_range) != 2:
        raise ValueError('zoom_range should be a tuple or list of two floats. '
                         'Received arg: ', zoom_range)
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    zoom_matrix = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    h, w = x.shape[row_axis], x.shape[col_axis]
    transform_matrix = transform_matrix_offset_center(zoom_matrix, h, w)
    return apply_transform(x, transform_matrix, channel_axis, fill_mode, cval)


def random_channel_shift(x, intensity, channel_axis=0):
    """Add to each channel a constant drawn in ``[-intensity, intensity]``, clipped to the
    image's original [min, max]."""
    x = np.rollaxis(x, channel_axis, 0)
    min_x, max_x = np.min(x), np.max(x)
    channel_images = [np.clip(x_channel + np.random.uniform(-intensity, intensity), min_x, max_x)
                      for x_channel in x]
    x = np.stack(channel_images, axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)
