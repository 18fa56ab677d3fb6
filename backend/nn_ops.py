"""Activations and cross-entropies (Keras 1 argument order: output first).

>>> from keraslike import backend as K
>>> p = K.placeholder(shape=(None, 3)); t = K.placeholder(shape=(None, 3))
>>> loss = K.categorical_crossentropy(p, t)
"""
import numpy as np
import pytensor.tensor as pt

from .config import epsilon
from .math_ops import _fx, clip


def elu(x, alpha=1.0):
    return pt.switch(pt.gt(x, 0), x, _fx(alpha) * pt.expm1(x))


def relu(x, alpha=0.0, max_value=None):
    if alpha:
        out = pt.switch(pt.gt(x, 0), x, _fx(alpha) * x)
    else:
        out = pt.maximum(x, _fx(0.))
    if max_value is not None:
        out = pt.minimum(out, _fx(max_value))
    return out


def softmax(x):
    return pt.special.softmax(x, axis=-1)


def log_softmax(x):
    return pt.special.log_softmax(x, axis=-1)


def softplus(x):
    return pt.softplus(x)


def softsign(x):
    return x / (_fx(1.) + pt.abs(x))


def sigmoid(x):
    return pt.sigmoid(x)


def hard_sigmoid(x):
    """``clip(0.2 * x + 0.5, 0, 1)`` as in Keras 1."""
    return pt.clip(_fx(0.2) * x + _fx(0.5), _fx(0.), _fx(1.))


def tanh(x):
    return pt.tanh(x)


def _log_probs(output, from_logits):
    if from_logits:
        return pt.special.log_softmax(output, axis=-1)
    # Keras 1 renormalises and clips the probabilities before the log.
    output = output / pt.sum(output, axis=-1, keepdims=True)
    return pt.log(clip(output, epsilon(), 1. - epsilon()))


def categorical_crossentropy(output, target, from_logits=False):
    """``-sum(target * log(output))`` over the last axis (one value per sample)."""
    return -pt.sum(target * _log_probs(output, from_logits), axis=-1)


def sparse_categorical_crossentropy(output, target, from_logits=False):
    """Like categorical_crossentropy with integer class targets."""
    target = pt.cast(pt.flatten(target), 'int64')
    log_p = _log_probs(output, from_logits)
    flat = pt.reshape(log_p, (-1, log_p.shape[-1]))
    picked = -flat[pt.arange(flat.shape[0]), target]
    return pt.reshape(picked, output.shape[:-1], ndim=output.ndim - 1)


def binary_crossentropy(output, target, from_logits=False):
    """Element-wise ``-(t log(o) + (1-t) log(1-o))`` with ``o`` clipped to [eps, 1-eps]."""
    if from_logits:
        # log(sigmoid(z)) = -softplus(-z), log(1 - sigmoid(z)) = -softplus(z)
        return target * pt.softplus(-output) + (_fx(1.) - target) * pt.softplus(output)
    output = clip(output, epsilon(), 1. - epsilon())
    return -(target * pt.log(output) + (_fx(1.) - target) * pt.log(_fx(1.) - output))


def in_top_k(predictions, targets, k):
    """Boolean per sample: is the target class among the ``k`` largest predictions?"""
    targets = pt.cast(pt.flatten(targets), 'int64')
    target_scores = predictions[pt.arange(predictions.shape[0]), targets]
    # strictly larger scores ahead of the target decide its rank
    larger = pt.sum(pt.gt(predictions, pt.shape_padright(target_scores)), axis=-1)
    return pt.lt(larger, np.int64(k))
