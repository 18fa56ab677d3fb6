"""Helpers for tests (``keras.utils.test_utils``): synthetic data and the generic layer check.

>>> (X_train, y_train), (X_test, y_test) = get_test_data(nb_train=6, nb_test=2,
...                                                      input_shape=(3,), nb_class=2)
>>> X_train.shape, y_train.shape
((6, 3), (6,))
"""
import functools

import numpy as np
from numpy.testing import assert_allclose

# Keras 1's test_utils imported these; code imports them from here
from keraslike.engine.topology import Input  # noqa: F401
from keraslike.models import Model, Sequential, model_from_json  # noqa: F401


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


def _check_shapes(layer, input_shape, actual_output):
    expected_shape = layer.get_output_shape_for(input_shape)
    for expected_dim, actual_dim in zip(expected_shape, actual_output.shape):
        if expected_dim is not None:
            assert expected_dim == actual_dim, (expected_shape, actual_output.shape)


def layer_test(layer_cls, kwargs={}, input_shape=None, input_dtype=None, input_data=None,
               expected_output=None, expected_output_dtype=None, fixed_batch_size=False):
    """Check a layer end to end (Keras 1.2.2's procedure); returns its output on the data.

    Builds it in a functional model and in a Sequential model, compiles both, predicts,
    compares output shapes with ``get_output_shape_for`` (and values with
    ``expected_output``, rtol 1e-3), and round-trips both models through their config
    (and JSON when available). Random input is ``10 * U(0, 1)`` of ``input_shape`` with
    ``None`` dimensions drawn in ``1..3``.

    >>> from keraslike.layers import Dense
    >>> out = layer_test(Dense, kwargs={'output_dim': 2}, input_shape=(3, 4))  # doctest: +SKIP
    """
    from keraslike import backend as K
    from keraslike.engine.topology import Input
    from keraslike.models import Model, Sequential
    if input_data is None:
        assert input_shape
        input_dtype = input_dtype or K.floatx()
        input_data_shape = [np.random.randint(1, 4) if e is None else e for e in input_shape]
        input_data = (10 * np.random.random(input_data_shape)).astype(input_dtype)
    elif input_shape is None:
        input_shape = input_data.shape
    if expected_output_dtype is None:
        expected_output_dtype = input_dtype or input_data.dtype
    expected_output_dtype = str(expected_output_dtype)

    layer = layer_cls(**kwargs)
    weights = layer.get_weights()
    layer.set_weights(weights)

    if fixed_batch_size:
        x = Input(batch_shape=input_shape, dtype=input_dtype)
    else:
        x = Input(shape=input_shape[1:], dtype=input_dtype)
    y = layer(x)
    assert K.dtype(y) == expected_output_dtype, (K.dtype(y), expected_output_dtype)

    model = Model(input=x, output=y)
    model.compile('rmsprop', 'mse')
    actual_output = model.predict(input_data)
    _check_shapes(layer, tuple(input_shape), actual_output)
    if expected_output is not None:
        assert_allclose(actual_output, expected_output, rtol=1e-3)

    recovered = Model.from_config(model.get_config())
    recovered.compile('rmsprop', 'mse')

    layer_config = layer.get_config()
    layer_config['batch_input_shape'] = input_shape
    layer = layer.__class__.from_config(layer_config)
    seq = Sequential()
    seq.add(layer)
    seq.compile('rmsprop', 'mse')
    actual_output = seq.predict(input_data)
    _check_shapes(layer, tuple(input_shape), actual_output)
    if expected_output is not None:
        assert_allclose(actual_output, expected_output, rtol=1e-3)

    try:
        from keraslike.models import model_from_json
    except ImportError:
        model_from_json = None
    if model_from_json is not None and hasattr(seq, 'to_json'):
        recovered = model_from_json(seq.to_json())
        recovered.compile('rmsprop', 'mse')
    return actual_output


def keras_test(func):
    """Decorator kept for Keras 1 test files (it cleared the TensorFlow session there)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper
