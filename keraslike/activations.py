"""Activation functions (Keras 1.2.2 ``keras.activations``).

Each function maps a tensor to a tensor of the same shape. Layers store an
activation by its ``__name__``, and :func:`get` turns that name back into the
function (``None`` gives :func:`linear`).

>>> from keraslike import activations
>>> from keraslike import backend as K
>>> x = K.placeholder(shape=(None, 3))
>>> y = activations.get('relu')(x)
>>> activations.get(None).__name__
'linear'
"""
from keraslike import backend as K
from .utils.generic_utils import get_from_module


def softmax(x):
    """Softmax over the last axis of a 2D or 3D tensor.

    >>> p = softmax(K.placeholder(shape=(None, 4, 5)))  # one softmax per timestep
    """
    ndim = K.ndim(x)
    if ndim == 2:
        return K.softmax(x)
    elif ndim == 3:
        e = K.exp(x - K.max(x, axis=-1, keepdims=True))
        s = K.sum(e, axis=-1, keepdims=True)
        return e / s
    raise ValueError('Cannot apply softmax to a tensor that is not 2D or 3D. '
                     'Here, ndim=' + str(ndim))


def elu(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    return K.elu(x, alpha)


def softplus(x):
    """``log(1 + exp(x))``."""
    return K.softplus(x)


def softsign(x):
    """``x / (1 + |x|)``."""
    return K.softsign(x)


def relu(x, alpha=0., max_value=None):
    """Rectifier: ``max(x, 0)``, slope ``alpha`` below 0, capped at ``max_value``."""
    return K.relu(x, alpha=alpha, max_value=max_value)


def tanh(x):
    """Hyperbolic tangent."""
    return K.tanh(x)


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``."""
    return K.sigmoid(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid ``clip(0.2 * x + 0.5, 0, 1)``."""
    return K.hard_sigmoid(x)


def linear(x):
    """Identity: returns ``x`` unchanged."""
    return x


_ACTIVATIONS = {f.__name__: f for f in (softmax, elu, softplus, softsign, relu, tanh,
                                          sigmoid, hard_sigmoid, linear)}


def get(identifier):
    """Resolve an activation: a name, a callable, or ``None`` (-> :func:`linear`).

    >>> get('tanh') is tanh
    True
    """
    if identifier is None:
        return linear
    return get_from_module(identifier, _ACTIVATIONS, 'activation function')
