"""keraslike.utils.test_utils: get_test_data and layer_test (Keras 1.2.2's procedure); also
layer_utils.convert_all_kernels_in_model on a model without convolutions."""
import numpy as np
import pytest

from keraslike.layers import Dense
from keraslike.utils.test_utils import get_test_data, keras_test, layer_test


def test_get_test_data_classification_and_regression():
    np.random.seed(0)
    (X_train, y_train), (X_test, y_test) = get_test_data(nb_train=300, nb_test=100,
                                                         input_shape=(4,), nb_class=3)
    assert X_train.shape == (300, 4) and X_test.shape == (100, 4)
    assert set(np.unique(y_train)) == {0, 1, 2}
    for label in range(3):  # X ~ N(label, 0.7)
        assert abs(X_train[y_train == label].mean() - label) < 0.15
    (X_train, y_train), _ = get_test_data(nb_train=50, nb_test=5, input_shape=(2, 3),
                                          output_shape=(2,), classification=False)
    assert X_train.shape == (50, 2, 3) and y_train.shape == (50, 2)


def test_layer_test_checks_shapes_and_values():
    x = np.arange(12, dtype='float32').reshape(3, 4)
    expected = np.repeat(x.sum(axis=1, keepdims=True), 2, axis=1)  # all-ones kernel, zero bias
    out = layer_test(Dense, kwargs={'output_dim': 2, 'init': 'one'}, input_data=x,
                     expected_output=expected)
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    out = layer_test(Dense, kwargs={'output_dim': 5}, input_shape=(None, 4))
    assert out.shape[1] == 5 and 1 <= out.shape[0] <= 3
    with pytest.raises(AssertionError):
        layer_test(Dense, kwargs={'output_dim': 2, 'init': 'one'}, input_data=x,
                   expected_output=expected + 1)


def test_keras_test_decorator_is_transparent():
    @keras_test
    def f(a, b=2):
        """doc"""
        return a + b
    assert f(1) == 3 and f.__doc__ == 'doc'


def test_convert_all_kernels_ignores_dense_layers():
    from keraslike.models import Sequential
    from keraslike.utils.layer_utils import convert_all_kernels_in_model
    model = Sequential([Dense(2, input_dim=3)])
    before = [w.copy() for w in model.get_weights()]
    convert_all_kernels_in_model(model)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_convert_all_kernels_flips_convolution_kernels():
    try:
        from keraslike.layers import Convolution2D
    except ImportError:  # convolution layers are another module's work
        pytest.skip('keraslike.layers.Convolution2D is not available')
    from keraslike import backend as K
    from keraslike.layers import Flatten
    from keraslike.models import Sequential
    from keraslike.utils.layer_utils import convert_all_kernels_in_model
    conv = Convolution2D(2, 2, 3, input_shape=(1, 4, 4), dim_ordering='th')
    model = Sequential([conv, Flatten(), Dense(1)])
    before = K.get_value(conv.W).copy()
    dense_before = model.layers[-1].get_weights()[0].copy()
    convert_all_kernels_in_model(model)
    after = K.get_value(conv.W)
    if K.image_dim_ordering() == 'th':  # (out, in, rows, cols): the spatial axes reversed
        np.testing.assert_array_equal(after, before[:, :, ::-1, ::-1])
    else:
        np.testing.assert_array_equal(after, before[::-1, ::-1])
    np.testing.assert_array_equal(model.layers[-1].get_weights()[0], dense_before)
    convert_all_kernels_in_model(model)  # its own inverse
    np.testing.assert_array_equal(K.get_value(conv.W), before)
