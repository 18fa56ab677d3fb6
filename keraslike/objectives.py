"""Loss functions (Keras 1.2.2 ``keras.objectives``).

Each loss is ``fn(y_true, y_pred)`` and returns one value per sample: it
reduces the last axis only (a ``(batch, dim)`` input gives ``(batch,)``, a
``(batch, time, dim)`` input gives ``(batch, time)``).

>>> from keraslike import objectives
>>> from keraslike import backend as K
>>> y_true = K.placeholder(shape=(None, 10)); y_pred = K.placeholder(shape=(None, 10))
>>> per_sample = objectives.get('mse')(y_true, y_pred)
>>> K.ndim(per_sample)
1
"""
import numpy as np

from keraslike import backend as K
from keraslike.utils.generic_utils import get_from_module


def mean_squared_error(y_true, y_pred):
    """``mean(square(y_pred - y_true), axis=-1)``."""
    return K.mean(K.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_pred - y_true), axis=-1)``."""
    return K.mean(K.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(abs((y_true - y_pred) / clip(abs(y_true), eps, inf)), axis=-1)``."""
    diff = K.abs((y_true - y_pred) / K.clip(K.abs(y_true), K.epsilon(), np.inf))
    return 100. * K.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean(square(log(clip(y_pred, eps) + 1) - log(clip(y_true, eps) + 1)), axis=-1)``."""
    first_log = K.log(K.clip(y_pred, K.epsilon(), np.inf) + 1.)
    second_log = K.log(K.clip(y_true, K.epsilon(), np.inf) + 1.)
    return K.mean(K.square(first_log - second_log), axis=-1)


def squared_hinge(y_true, y_pred):
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``; targets in {-1, 1}."""
    return K.mean(K.square(K.maximum(1. - y_true * y_pred, 0.)), axis=-1)


def hinge(y_true, y_pred):
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``; targets in {-1, 1}."""
    return K.mean(K.maximum(1. - y_true * y_pred, 0.), axis=-1)


def categorical_crossentropy(y_true, y_pred):
    """``-sum(y_true * log(p))`` with ``p`` = ``y_pred`` renormalised and clipped."""
    return K.categorical_crossentropy(y_pred, y_true)


def sparse_categorical_crossentropy(y_true, y_pred):
    """Categorical cross-entropy with integer class targets of shape ``(..., 1)``."""
    return K.sparse_categorical_crossentropy(y_pred, y_true)


def binary_crossentropy(y_true, y_pred):
    """``mean(-(t log(p) + (1-t) log(1-p)), axis=-1)``, ``p`` clipped to [eps, 1-eps]."""
    return K.mean(K.binary_crossentropy(y_pred, y_true), axis=-1)


def kullback_leibler_divergence(y_true, y_pred):
    """``sum(t * log(t / p), axis=-1)`` with ``t`` and ``p`` clipped to [eps, 1]."""
    y_true = K.clip(y_true, K.epsilon(), 1)
    y_pred = K.clip(y_pred, K.epsilon(), 1)
    return K.sum(y_true * K.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""
    return K.mean(y_pred - y_true * K.log(y_pred + K.epsilon()), axis=-1)


def cosine_proximity(y_true, y_pred):
    """``-mean(l2_normalize(y_true) * l2_normalize(y_pred), axis=-1)``."""
    y_true = K.l2_normalize(y_true, axis=-1)
    y_pred = K.l2_normalize(y_pred, axis=-1)
    return -K.mean(y_true * y_pred, axis=-1)


# Aliases
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_proximity

_OBJECTIVES = {
    'mean_squared_error': mean_squared_error, 'mean_absolute_error': mean_absolute_error,
    'mean_absolute_percentage_error': mean_absolute_percentage_error,
    'mean_squared_logarithmic_error': mean_squared_logarithmic_error,
    'squared_hinge': squared_hinge, 'hinge': hinge,
    'categorical_crossentropy': categorical_crossentropy,
    'sparse_categorical_crossentropy': sparse_categorical_crossentropy,
    'binary_crossentropy': binary_crossentropy,
    'kullback_leibler_divergence': kullback_leibler_divergence,
    'poisson': poisson, 'cosine_proximity': cosine_proximity,
    'mse': mse, 'MSE': MSE, 'mae': mae, 'MAE': MAE, 'mape': mape, 'MAPE': MAPE,
    'msle': msle, 'MSLE': MSLE, 'kld': kld, 'KLD': KLD, 'cosine': cosine,
}


def get(identifier):
    """Resolve a loss by name (aliases included) or return a callable unchanged.

    >>> get('mae') is mean_absolute_error
    True
    """
    return get_from_module(identifier, _OBJECTIVES, 'objective')
