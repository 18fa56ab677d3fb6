"""Metrics (Keras 1.2.2 ``keras.metrics``): ``fn(y_true, y_pred)`` -> scalar.

A metric is averaged over everything in the batch (unlike a loss, which keeps
one value per sample); training logs it under the function's ``__name__``.
Results are ``floatx`` scalars.

>>> from keraslike import metrics
>>> from keraslike import backend as K
>>> y_true = K.placeholder(shape=(None, 3)); y_pred = K.placeholder(shape=(None, 3))
>>> acc = metrics.get('categorical_accuracy')(y_true, y_pred)
>>> K.ndim(acc)
0
"""
import numpy as np

from keraslike import backend as K
from keraslike.utils.generic_utils import get_from_module


def _fx(x):
    return K.cast(x, K.floatx()) if K.dtype(x) != K.floatx() else x


def binary_accuracy(y_true, y_pred):
    """Fraction of entries where ``round(y_pred) == y_true``."""
    return _fx(K.mean(K.equal(y_true, K.round(y_pred))))


def categorical_accuracy(y_true, y_pred):
    """Fraction of samples where ``argmax(y_pred) == argmax(y_true)``."""
    return _fx(K.mean(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1))))


def sparse_categorical_accuracy(y_true, y_pred):
    """Like categorical_accuracy with integer targets of shape ``(..., 1)``."""
    return _fx(K.mean(K.equal(K.max(y_true, axis=-1),
                              K.cast(K.argmax(y_pred, axis=-1), K.floatx()))))


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Fraction of samples whose true class is among the ``k`` highest predictions."""
    return _fx(K.mean(K.in_top_k(y_pred, K.argmax(y_true, axis=-1), k)))


def mean_squared_error(y_true, y_pred):
    return _fx(K.mean(K.square(y_pred - y_true)))


def mean_absolute_error(y_true, y_pred):
    return _fx(K.mean(K.abs(y_pred - y_true)))


def mean_absolute_percentage_error(y_true, y_pred):
    diff = K.abs((y_true - y_pred) / K.clip(K.abs(y_true), K.epsilon(), np.inf))
    return _fx(100. * K.mean(diff))


def mean_squared_logarithmic_error(y_true, y_pred):
    first_log = K.log(K.clip(y_pred, K.epsilon(), np.inf) + 1.)
    second_log = K.log(K.clip(y_true, K.epsilon(), np.inf) + 1.)
    return _fx(K.mean(K.square(first_log - second_log)))


def hinge(y_true, y_pred):
    return _fx(K.mean(K.maximum(1. - y_true * y_pred, 0.)))


def squared_hinge(y_true, y_pred):
    return _fx(K.mean(K.square(K.maximum(1. - y_true * y_pred, 0.))))


def categorical_crossentropy(y_true, y_pred):
    return _fx(K.mean(K.categorical_crossentropy(y_pred, y_true)))


def sparse_categorical_crossentropy(y_true, y_pred):
    return _fx(K.mean(K.sparse_categorical_crossentropy(y_pred, y_true)))


def binary_crossentropy(y_true, y_pred):
    return _fx(K.mean(K.binary_crossentropy(y_pred, y_true)))


def kullback_leibler_divergence(y_true, y_pred):
    """Mean over samples of ``sum(t * log(t / p), axis=-1)``, both clipped to [eps, 1].

    (Keras 1.2.2 returned the per-sample vector here; a metric is a scalar.)
    """
    y_true = K.clip(y_true, K.epsilon(), 1)
    y_pred = K.clip(y_pred, K.epsilon(), 1)
    return _fx(K.mean(K.sum(y_true * K.log(y_true / y_pred), axis=-1)))


def poisson(y_true, y_pred):
    return _fx(K.mean(y_pred - y_true * K.log(y_pred + K.epsilon())))


def cosine_proximity(y_true, y_pred):
    y_true = K.l2_normalize(y_true, axis=-1)
    y_pred = K.l2_normalize(y_pred, axis=-1)
    return _fx(-K.mean(y_true * y_pred))


def _rounded_counts(y_true, y_pred):
    """Batch-wise (true positives, predicted positives, actual positives)."""
    tp = K.sum(K.round(K.clip(y_true * y_pred, 0, 1)))
    pred_pos = K.sum(K.round(K.clip(y_pred, 0, 1)))
    pos = K.sum(K.round(K.clip(y_true, 0, 1)))
    return tp, pred_pos, pos


def matthews_correlation(y_true, y_pred):
    """Matthews correlation coefficient of the rounded predictions, batch-wise."""
    y_pred_pos = K.round(K.clip(y_pred, 0, 1))
    y_pred_neg = 1. - y_pred_pos
    y_pos = K.round(K.clip(y_true, 0, 1))
    y_neg = 1. - y_pos
    tp = K.sum(y_pos * y_pred_pos)
    tn = K.sum(y_neg * y_pred_neg)
    fp = K.sum(y_neg * y_pred_pos)
    fn = K.sum(y_pos * y_pred_neg)
    numerator = tp * tn - fp * fn
    denominator = K.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return _fx(numerator / (denominator + K.epsilon()))


def precision(y_true, y_pred):
    """Batch-wise precision ``TP / (predicted positives + eps)`` (multi-label)."""
    tp, pred_pos, _ = _rounded_counts(y_true, y_pred)
    return _fx(tp / (pred_pos + K.epsilon()))


def recall(y_true, y_pred):
    """Batch-wise recall ``TP / (actual positives + eps)`` (multi-label)."""
    tp, _, pos = _rounded_counts(y_true, y_pred)
    return _fx(tp / (pos + K.epsilon()))


def fbeta_score(y_true, y_pred, beta=1):
    """Batch-wise F-beta: ``(1 + b^2) p r / (b^2 p + r + eps)``; 0 when no positives.

    >>> f2 = lambda t, p: fbeta_score(t, p, beta=2)
    """
    if beta < 0:
        raise ValueError('The lowest choosable beta is zero (only precision).')
    p = precision(y_true, y_pred)
    r = recall(y_true, y_pred)
    bb = beta ** 2
    return _fx((1. + bb) * (p * r) / (bb * p + r + K.epsilon()))


def fmeasure(y_true, y_pred):
    """F1 score: :func:`fbeta_score` with ``beta=1``."""
    return fbeta_score(y_true, y_pred, beta=1)


# Aliases
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
cosine = cosine_proximity
fscore = f1score = fmeasure

_METRICS = {f.__name__: f for f in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, mean_squared_error, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_logarithmic_error, hinge, squared_hinge,
    categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy,
    kullback_leibler_divergence, poisson, cosine_proximity, matthews_correlation,
    precision, recall, fbeta_score, fmeasure)}
_METRICS.update({'mse': mse, 'MSE': MSE, 'mae': mae, 'MAE': MAE, 'mape': mape, 'MAPE': MAPE,
                 'msle': msle, 'MSLE': MSLE, 'cosine': cosine, 'fscore': fscore,
                 'f1score': f1score})


def get(identifier):
    """Resolve a metric by name (aliases included) or return a callable unchanged.

    >>> get('f1score') is fmeasure
    True
    """
    return get_from_module(identifier, _METRICS, 'metric')
