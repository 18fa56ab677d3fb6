"""Reading one CIFAR batch file (the pickled dicts of the "CIFAR python version").

>>> # data, labels = load_batch('~/.keras/datasets/cifar-10-batches-py/data_batch_1')
"""
import numpy as np

from ._safe_pickle import ARRAY, MAPPING, check_layout, safe_load


def load_batch(fpath, label_key='labels'):
    """``(data, labels)`` from a CIFAR batch: data uint8 ``(N, 3, 32, 32)``, labels a list.

    The file is a Python 2 pickle of a dict with ``data`` ``(N, 3072)`` and
    ``labels`` (CIFAR-10) or ``fine_labels``/``coarse_labels`` (CIFAR-100);
    it is read with a restricted unpickler (no code from the file runs).
    """
    expected = ("a CIFAR batch: a dict with 'data' (N x 3072 pixel values) and %r (N labels)"
                % label_key)
    with open(fpath, 'rb') as f:
        d = check_layout(safe_load(f, encoding='bytes'), MAPPING, fpath, expected)
    d = {(k.decode('utf8') if isinstance(k, bytes) else k): v for k, v in d.items()}
    for key in ('data', label_key):
        if key not in d:
            raise ValueError('%s has no %r entry (found: %s).'
                             % (fpath, key, sorted(map(str, d))))
    data, labels = check_layout((d['data'], d[label_key]), (ARRAY, ARRAY), fpath, expected,
                                where="('data', %r)" % label_key)
    data = np.asarray(data)
    if data.ndim < 1 or data.size != len(data) * 3 * 32 * 32:
        raise ValueError("%s does not hold the expected data: expected %s, but 'data' has "
                         "shape %s." % (fpath, expected, data.shape))
    data = data.reshape(data.shape[0], 3, 32, 32)
    return data, labels


def to_dim_ordering(X):
    """CIFAR arrays are channels-first; transpose to ``(N, 32, 32, 3)`` under ``'tf'``."""
    from keraslike import backend as K
    if K.image_dim_ordering() == 'tf':
        return X.transpose(0, 2, 3, 1)
    return X
