"""MNIST (``keras.datasets.mnist``): 60000 training and 10000 test 28x28 digit images.

Reads Keras 1's cache ``~/.keras/datasets/mnist.pkl.gz`` (a gzipped pickle of
``((X_train, y_train), (X_test, y_test))``) with a restricted unpickler, or
Keras 2's ``mnist.npz`` when ``path`` ends in ``.npz``.

>>> (X_train, y_train), (X_test, y_test) = load_data()  # doctest: +SKIP
>>> X_train.shape, X_train.dtype                         # doctest: +SKIP
((60000, 28, 28), dtype('uint8'))
"""
import gzip

import numpy as np

from keraslike.utils.data_utils import get_file
from ._safe_pickle import ARRAY, check_layout, safe_load

_EXPECTED = '((X_train, y_train), (X_test, y_test)): image and label arrays'
_NPZ_KEYS = ('x_train', 'y_train', 'x_test', 'y_test')

ORIGINS = {'mnist.pkl.gz': 'https://s3.amazonaws.com/img-datasets/mnist.pkl.gz',
           'mnist.npz': 'https://s3.amazonaws.com/img-datasets/mnist.npz'}


def load_data(path='mnist.pkl.gz'):
    """``(X_train, y_train), (X_test, y_test)``: uint8 images ``(N, 28, 28)``, labels ``(N,)``."""
    import os
    origin = ORIGINS.get(os.path.basename(path), ORIGINS['mnist.pkl.gz'])
    path = get_file(path, origin=origin)
    if path.endswith('.npz'):
        with np.load(path, allow_pickle=False) as f:
            missing = [key for key in _NPZ_KEYS if key not in f.files]
            if missing:
                raise ValueError('%s does not hold the expected data: expected the arrays %s, '
                                 'but it lacks %s (found: %s).' % (path, list(_NPZ_KEYS),
                                                                  missing, f.files))
            return (f['x_train'], f['y_train']), (f['x_test'], f['y_test'])
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = safe_load(f, encoding='bytes')
    (X_train, y_train), (X_test, y_test) = check_layout(data, ((ARRAY, ARRAY), (ARRAY, ARRAY)),
                                                        path, _EXPECTED)
    return (X_train, y_train), (X_test, y_test)
