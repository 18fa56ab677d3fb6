"""Helpers for tests (``keras.utils.test_utils``): synthetic data, and the generic layer check
(``layer_test``, in ``engine/layer_check.py``, re-exported here).

>>> (X_train, y_train), (X_test, y_test) = get_test_data(nb_train=6, nb_test=2,
...                                                      input_shape=(3,), nb_class=2)
>>> X_train.shape, y_train.shape
((6, 3), (6,))
"""
import functools

import numpy as np


def __getattr__(name):
    """Keras 1's test_utils imported Input, Model, Sequential and model_from_json, and
    defined layer_test, which needs them: code imports all of them from here."""
    if name not in ('Input', 'Model', 'Sequential', 'model_from_json', 'layer_test'):
        raise AttributeError('module %r has no attribute %r' % (__name__, name))
    # Imported here, not at the top: the engine imports the utilities.
    from keraslike.engine import input_layer, layer_check, saving, sequential, training
    return {'Input': input_layer.Input, 'Model': training.Model,
            'Sequential': sequential.Sequential, 'model_from_json': saving.model_from_json,
            'layer_test': layer_check.layer_test}[name]


def get_test_data(nb_train=1000, nb_test=500, input_shape=(10,), output_shape=(2,),
                  classification=True, nb_class=2):
    """``(X_train, y_train), (X_test, y_test)`` drawn with ``np.random``.

    Classification: labels ``y`` uniform in ``0..nb_class-1`` and ``X ~ N(y, 0.7)``
    (so the classes are separable); regression: ``X`` and ``y`` (of ``output_shape``)
    both ``~ N(u, 0.7)`` around a per-sample ``u ~ U(0, 1)``.
    """
    nb_sample = nb_train + nb_test
    if classification:
        y = np.random.randint(0, nb_class, size=(nb_sample,))
        X = np.zeros((nb_sample,) + tuple(input_shape))
        for i in range(nb_sample):
            X[i] = np.random.normal(loc=y[i], scale=0.7, size=input_shape)
    else:
        y_loc = np.random.random((nb_sample,))
        X = np.zeros((nb_sample,) + tuple(input_shape))
        y = np.zeros((nb_sample,) + tuple(output_shape))
        for i in range(nb_sample):
            X[i] = np.random.normal(loc=y_loc[i], scale=0.7, size=input_shape)
            y[i] = np.random.normal(loc=y_loc[i], scale=0.7, size=output_shape)
    return (X[:nb_train], y[:nb_train]), (X[nb_train:], y[nb_train:])


def keras_test(func):
    """Decorator kept for Keras 1 test files (it cleared the TensorFlow session there)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper
