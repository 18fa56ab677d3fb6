"""CIFAR-100 (``keras.datasets.cifar100``): 100 fine or 20 coarse classes of 32x32 images.

Reads ``~/.keras/datasets/cifar-100-python/{train,test}``, extracted from
``cifar-100-python.tar.gz``.

>>> (X_train, y_train), _ = load_data(label_mode='coarse')  # doctest: +SKIP
"""
import os

import numpy as np

from keraslike.utils.data_utils import get_file
from .cifar import load_batch, to_dim_ordering

ORIGIN = 'http://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz'


def load_data(label_mode='fine'):
    """As ``cifar10.load_data``, with ``label_mode`` ``'fine'`` (0..99) or ``'coarse'`` (0..19)."""
    if label_mode not in ['fine', 'coarse']:
        raise ValueError('label_mode must be one of "fine" "coarse".')
    path = get_file('cifar-100-python', origin=ORIGIN, untar=True)
    X_train, y_train = load_batch(os.path.join(path, 'train'), label_key=label_mode + '_labels')
    X_test, y_test = load_batch(os.path.join(path, 'test'), label_key=label_mode + '_labels')
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    return (to_dim_ordering(X_train), y_train), (to_dim_ordering(X_test), y_test)
