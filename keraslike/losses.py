"""Keras 2 name of :mod:`keraslike.objectives` (``keras.losses``).

Same functions, aliases and :func:`get`; plus Keras 2's ``serialize`` and
``deserialize``.

>>> from keraslike import losses, objectives
>>> losses.get('mse') is objectives.mean_squared_error
True
"""
from keraslike.objectives import (MAE, MAPE, MSE, MSLE, KLD, binary_crossentropy,  # noqa: F401
                                  categorical_crossentropy, cosine, cosine_proximity, get,
                                  hinge, kld, kullback_leibler_divergence, mae, mape,
                                  mean_absolute_error, mean_absolute_percentage_error,
                                  mean_squared_error, mean_squared_logarithmic_error, mse,
                                  msle, poisson, sparse_categorical_crossentropy,
                                  squared_hinge)
from keraslike.utils.generic_utils import CustomObjectScope


def serialize(loss):
    """A loss function's name, as Keras 2 stores it."""
    return loss.__name__


def deserialize(name, custom_objects=None):
    """The loss called ``name`` (looked up in ``custom_objects`` first)."""
    with CustomObjectScope(custom_objects or {}):
        return get(name)
