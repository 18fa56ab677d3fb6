"""Weight and activity regularisers (Keras 1.2.2 ``keras.regularizers``).

A regulariser is called on a tensor and returns a scalar penalty that is added
to the training loss.

>>> from keraslike import regularizers
>>> from keraslike import backend as K
>>> import numpy as np
>>> penalty = regularizers.l2(0.01)(K.variable(np.ones((2, 2))))   # 0.01 * 4
>>> regularizers.get('l1').get_config()['l1']
0.009999999776482582
"""
import warnings

from keraslike import backend as K
from keraslike.utils.generic_utils import get_from_module


class Regularizer(object):
    """Base class: no penalty (``__call__`` returns 0)."""

    def __call__(self, x):
        return 0

    def get_config(self):
        return {'name': self.__class__.__name__}

    def set_param(self, _):
        warnings.warn('The `set_param` method on regularizers is deprecated. '
                      'It no longer does anything.')

    def set_layer(self, _):
        warnings.warn('The `set_layer` method on regularizers is deprecated. '
                      'It no longer does anything.')


class EigenvalueRegularizer(Regularizer):
    """Penalise ``k * sqrt(largest eigenvalue of x^T x)`` (2D tensors only).

    The eigenvalue comes from 9 steps of the power method started at ones.

    >>> reg = EigenvalueRegularizer(0.1)
    """

    def __init__(self, k):
        self.k = k
        self.uses_learning_phase = True

    def __call__(self, x):
        if K.ndim(x) != 2:
            raise ValueError('EigenvalueRegularizer is only available for tensors of rank 2.')
        covariance = K.dot(K.transpose(x), x)
        power = 9  # iterations of the power method
        o = K.ones_like(K.sum(covariance, axis=1, keepdims=True))  # (dim, 1) of ones
        main_eigenvect = K.dot(covariance, o)
        for _ in range(power - 1):
            main_eigenvect = K.dot(covariance, main_eigenvect)
        covariance_d = K.dot(covariance, main_eigenvect)
        main_eigenval = (K.dot(K.transpose(covariance_d), main_eigenvect) /
                         K.dot(K.transpose(main_eigenvect), main_eigenvect))
        regularization = K.sqrt(main_eigenval) * self.k
        return K.sum(regularization)

    def get_config(self):
        return {'name': self.__class__.__name__, 'k': self.k}


class L1L2Regularizer(Regularizer):
    """``sum(l1 * |x|) + sum(l2 * x^2)``.

    >>> reg = L1L2Regularizer(l1=0.01, l2=0.001)
    """

    def __init__(self, l1=0., l2=0.):
        self.l1 = K.cast_to_floatx(l1)
        self.l2 = K.cast_to_floatx(l2)

    def __call__(self, x):
        regularization = 0
        if self.l1:
            regularization += K.sum(self.l1 * K.abs(x))
        if self.l2:
            regularization += K.sum(self.l2 * K.square(x))
        return regularization

    def get_config(self):
        return {'name': self.__class__.__name__,
                'l1': float(self.l1),
                'l2': float(self.l2)}


# Aliases (Keras 1 and Keras 2 names).
WeightRegularizer = L1L2Regularizer
ActivityRegularizer = L1L2Regularizer
L1L2 = L1L2Regularizer


def l1(l=0.01):
    """L1 penalty ``l * sum(|x|)``."""
    return L1L2Regularizer(l1=l)


def l2(l=0.01):
    """L2 penalty ``l * sum(x^2)``."""
    return L1L2Regularizer(l2=l)


def l1l2(l1=0.01, l2=0.01):
    """Both penalties."""
    return L1L2Regularizer(l1=l1, l2=l2)


l1_l2 = l1l2  # Keras 2 spelling


def activity_l1(l=0.01):
    return L1L2Regularizer(l1=l)


def activity_l2(l=0.01):
    return L1L2Regularizer(l2=l)


def activity_l1l2(l1=0.01, l2=0.01):
    return L1L2Regularizer(l1=l1, l2=l2)


_REGULARIZERS = {
    'Regularizer': Regularizer, 'EigenvalueRegularizer': EigenvalueRegularizer,
    'L1L2Regularizer': L1L2Regularizer, 'WeightRegularizer': WeightRegularizer,
    'ActivityRegularizer': ActivityRegularizer, 'L1L2': L1L2,
    'l1': l1, 'l2': l2, 'l1l2': l1l2, 'l1_l2': l1_l2, 'activity_l1': activity_l1,
    'activity_l2': activity_l2, 'activity_l1l2': activity_l1l2,
}


def get(identifier, kwargs=None):
    """Instantiate a regulariser from a name, a config dict, or return an instance.

    A name is called with ``kwargs`` (or no arguments: ``'l2'`` gives
    ``l2(0.01)``); ``{'name': 'L1L2Regularizer', 'l1': .., 'l2': ..}`` (Keras 1)
    and ``{'class_name': 'L1L2', 'config': {...}}`` (Keras 2) build instances.

    >>> get({'name': 'L1L2Regularizer', 'l1': 0.0, 'l2': 0.5}).get_config()['l2']
    0.5
    """
    if isinstance(identifier, dict) and 'class_name' in identifier:
        identifier = dict(identifier.get('config') or {}, name=identifier['class_name'])
    return get_from_module(identifier, _REGULARIZERS, 'regularizer',
                           instantiate=True, kwargs=kwargs)
