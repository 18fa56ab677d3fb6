"""CIFAR-10 (``keras.datasets.cifar10``): 50000 training and 10000 test 32x32 colour images.

Reads ``~/.keras/datasets/cifar-10-batches-py/`` (``data_batch_1`` ..
``data_batch_5``, ``test_batch``), extracted from ``cifar-10-python.tar.gz``.

>>> (X_train, y_train), (X_test, y_test) = load_data()  # doctest: +SKIP
>>> X_train.shape, y_train.shape                         # doctest: +SKIP
((50000, 3, 32, 32), (50000, 1))
"""
import os

import numpy as np

from keraslike.utils.data_utils import get_file
from .cifar import load_batch, to_dim_ordering

ORIGIN = 'http://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'


def load_data():
    """``(X_train, y_train), (X_test, y_test)``: X uint8 ``(N, 3, 32, 32)`` (``(N, 32, 32, 3)``
    when ``K.image_dim_ordering() == 'tf'``), y ``(N, 1)`` labels 0..9."""
    path = get_file('cifar-10-batches-py', origin=ORIGIN, untar=True)
    xs, ys = [], []
    for i in range(1, 6):
        data, labels = load_batch(os.path.join(path, 'data_batch_' + str(i)))
        xs.append(data)
        ys.append(np.asarray(labels, dtype='uint8'))
    X_train = np.concatenate(xs).astype('uint8')
    y_train = np.concatenate(ys)
    X_test, y_test = load_batch(os.path.join(path, 'test_batch'))
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    return (to_dim_ordering(X_train), y_train), (to_dim_ordering(X_test), y_test)
