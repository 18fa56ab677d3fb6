"""Image files <-> arrays (Pillow, an optional extra: ``pip install 'keraslike[image]'``).

Arrays follow ``dim_ordering``: ``'th'`` is ``(channels, rows, cols)``, ``'tf'``
is ``(rows, cols, channels)``; ``'default'`` reads ``K.image_dim_ordering()``.
Keras 2's ``'channels_first'``/``'channels_last'`` are accepted too.

>>> import numpy as np
>>> img = array_to_img(np.zeros((1, 2, 3)), dim_ordering='th')   # doctest: +SKIP
>>> img.size   # (width, height)                                 # doctest: +SKIP
(3, 2)
"""
import os
import re

import numpy as np


def _pil_image():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError('Image loading and saving need Pillow: `pip install Pillow` '
                          "(or `pip install 'keraslike[image]'`).")
    return Image


def resolve_dim_ordering(dim_ordering):
    """``'th'``/``'tf'`` from ``'default'``, ``None`` or a Keras 2 ``data_format``."""
    if dim_ordering in ('default', None):
        from keraslike import backend as K
        dim_ordering = K.image_dim_ordering()
    dim_ordering = {'channels_first': 'th', 'channels_last': 'tf'}.get(dim_ordering,
                                                                       dim_ordering)
    if dim_ordering not in ('th', 'tf'):
        raise ValueError('Invalid dim_ordering:', dim_ordering)
    return dim_ordering


def array_to_img(x, dim_ordering='default', scale=True):
    """A PIL image from a 3-D array (1 channel: mode ``'L'``, 3: ``'RGB'``, 4: ``'RGBA'``).

    ``scale``: shift so the minimum is >= 0, then stretch the maximum to 255.
    The input array is not modified.
    """
    Image = _pil_image()
    x = np.array(x, dtype='float64')  # a copy: Keras 1 scaled the caller's array in place
    if x.ndim != 3:
        raise ValueError('Expected image array to have rank 3 (single image). '
                         'Got array with shape:', x.shape)
    if resolve_dim_ordering(dim_ordering) == 'th':
        x = x.transpose(1, 2, 0)
    if scale:
        x += max(-np.min(x), 0)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    if x.shape[2] == 3:
        return Image.fromarray(x.astype('uint8'), 'RGB')
    if x.shape[2] == 4:
        return Image.fromarray(x.astype('uint8'), 'RGBA')
    if x.shape[2] == 1:
        return Image.fromarray(x[:, :, 0].astype('uint8'), 'L')
    raise ValueError('Unsupported channel number: ', x.shape[2])


def img_to_array(img, dim_ordering='default'):
    """A 3-D ``floatx`` array from a PIL image (grayscale gets a channel axis of 1)."""
    from keraslike import backend as K
    dim_ordering = resolve_dim_ordering(dim_ordering)
    x = np.asarray(img, dtype=K.floatx())
    if x.ndim == 3:
        if dim_ordering == 'th':
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        if dim_ordering == 'th':
            x = x.reshape((1, x.shape[0], x.shape[1]))
        else:
            x = x.reshape((x.shape[0], x.shape[1], 1))
    else:
        raise ValueError('Unsupported image shape: ', x.shape)
    return x


def load_img(path, grayscale=False, target_size=None):
    """Open an image file as RGB (or ``'L'`` if ``grayscale``), resized (nearest) to
    ``target_size = (height, width)`` if given."""
    Image = _pil_image()
    img = Image.open(path)
    if grayscale:
        if img.mode != 'L':
            img = img.convert('L')
    elif img.mode != 'RGB':
        img = img.convert('RGB')
    if target_size:
        size = (int(target_size[1]), int(target_size[0]))
        if img.size != size:
            img = img.resize(size, Image.NEAREST)
    return img


def list_pictures(directory, ext='jpg|jpeg|bmp|png'):
    """Paths of the files under ``directory`` (recursively) whose names match ``ext``."""
    return [os.path.join(root, f)
            for root, _, files in os.walk(directory) for f in files
            if re.match(r'([\w]+\.(?:' + ext + '))', f)]
