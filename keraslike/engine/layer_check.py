"""Keras 1's end-to-end check of a layer, ``keras.utils.test_utils.layer_test``: the
layer must work in a functional model and in a Sequential, predict what
``get_output_shape_for`` says, and survive a config and JSON round trip. It needs the
models, so it lives here; ``keraslike.utils.test_utils`` re-exports it.

>>> from keraslike.layers import Dense
>>> out = layer_test(Dense, kwargs={'output_dim': 2}, input_shape=(3, 4))  # doctest: +SKIP
"""
import numpy as np
from numpy.testing import assert_allclose

from keraslike import backend as K
from .input_layer import Input
from .saving import model_from_json
from .sequential import Sequential
from .training import Model


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
    and JSON. Random input is ``10 * U(0, 1)`` of ``input_shape`` with
    ``None`` dimensions drawn in ``1..3``.

    >>> from keraslike.layers import Dense
    >>> out = layer_test(Dense, kwargs={'output_dim': 2}, input_shape=(3, 4))  # doctest: +SKIP
    """
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

    recovered = model_from_json(seq.to_json())
    recovered.compile('rmsprop', 'mse')
    return actual_output
