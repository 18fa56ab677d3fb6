import numpy as np
import pytest

from keraslike.utils import np_utils


def test_to_categorical_basic():
    out = np_utils.to_categorical([0, 2, 1, 2])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]])


def test_to_categorical_nb_classes_and_flattening():
    out = np_utils.to_categorical(np.array([[1], [3]]), 5)
    np.testing.assert_array_equal(out, [[0, 1, 0, 0, 0], [0, 0, 0, 1, 0]])
    # falsy nb_classes -> max(y) + 1
    assert np_utils.to_categorical([3, 0], 0).shape == (2, 4)
    # float labels are truncated to int
    np.testing.assert_array_equal(np_utils.to_categorical([1.0, 0.0]), [[0, 1], [1, 0]])


def test_to_categorical_keras2_num_classes():
    np.testing.assert_array_equal(np_utils.to_categorical([1], num_classes=3), [[0, 1, 0]])
    np.testing.assert_array_equal(np_utils.to_categorical([1], nb_classes=3, num_classes=3),
                                  [[0, 1, 0]])
    with pytest.raises(ValueError):
        np_utils.to_categorical([1], nb_classes=2, num_classes=3)


def test_normalize():
    a = np.array([[3., 4.], [0., 0.], [1., 0.]])
    np.testing.assert_allclose(np_utils.normalize(a), [[0.6, 0.8], [0, 0], [1, 0]])
    np.testing.assert_allclose(np_utils.normalize(a, axis=0),
                               a / np.array([np.sqrt(10.), 4.]))
    np.testing.assert_allclose(np_utils.normalize(np.array([[3., -1.]]), order=1),
                               [[0.75, -0.25]])
    # 1D input: norm over the only axis
    np.testing.assert_allclose(np_utils.normalize(np.array([3., 4.])), [[0.6, 0.8]])


def test_binary_logloss():
    p = np.array([0.9, 0.2, 1.0])
    y = np.array([1, 0, 1])
    expected = -(np.log(0.9) + np.log(0.8) + np.log(1 - 1e-15)) / 3
    assert np_utils.binary_logloss(p, y) == pytest.approx(expected)
    # clipping keeps log finite
    assert np.isfinite(np_utils.binary_logloss(np.array([0.0]), np.array([1])))
    assert np_utils.binary_logloss(np.array([0.0]), np.array([1])) == pytest.approx(-np.log(1e-15))


def test_multiclass_logloss_uses_one_based_labels():
    P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    Y = np.array([1, 3])
    assert np_utils.multiclass_logloss(P, Y) == pytest.approx(-(np.log(0.7) + np.log(0.8)) / 2)


def test_accuracy_and_classes():
    assert np_utils.accuracy([1, 0, 2, 2], [1, 1, 2, 0]) == 0.5
    np.testing.assert_array_equal(
        np_utils.probas_to_classes(np.array([[0.1, 0.9], [0.8, 0.2]])), [1, 0])
    np.testing.assert_array_equal(np_utils.probas_to_classes(np.array([0.2, 0.5, 0.51])),
                                  [0, 0, 1])
    np.testing.assert_array_equal(np_utils.probas_to_classes(np.array([[0.7], [0.3]])), [1, 0])
    np.testing.assert_array_equal(
        np_utils.categorical_probas_to_classes(np.array([[0.1, 0.3, 0.6], [0.5, 0.4, 0.1]])),
        [2, 0])


def test_convert_kernel_tf_4d():
    k = np.arange(2 * 3 * 4 * 5, dtype='float32').reshape(2, 3, 4, 5)  # (rows, cols, in, out)
    out = np_utils.convert_kernel(k, 'tf')
    np.testing.assert_array_equal(out, k[::-1, ::-1, :, :])
    np.testing.assert_array_equal(np_utils.convert_kernel(out, 'tf'), k)
    out[0, 0, 0, 0] = -1
    assert k.min() == 0


def test_convert_kernel_th_4d_and_5d():
    k = np.arange(5 * 4 * 3 * 2, dtype='float32').reshape(5, 4, 3, 2)  # (out, in, rows, cols)
    np.testing.assert_array_equal(np_utils.convert_kernel(k, 'th'), k[:, :, ::-1, ::-1])
    k5 = np.arange(2 * 2 * 2 * 3 * 2).reshape(2, 2, 2, 3, 2)
    np.testing.assert_array_equal(np_utils.convert_kernel(k5, 'th'), k5[:, :, ::-1, ::-1, ::-1])
    np.testing.assert_array_equal(np_utils.convert_kernel(k5, 'tf'), k5[::-1, ::-1, ::-1, :, :])
    np.testing.assert_array_equal(np_utils.convert_kernel(k5, 'channels_last'),
                                  k5[::-1, ::-1, ::-1, :, :])


def test_convert_kernel_3d_conv1d():
    k = np.arange(3 * 2 * 4).reshape(3, 2, 4)  # (length, in, out)
    np.testing.assert_array_equal(np_utils.convert_kernel(k, 'tf'), k[::-1])
    np.testing.assert_array_equal(np_utils.convert_kernel(k, 'th'), k[:, :, ::-1])


def test_convert_kernel_errors():
    with pytest.raises(ValueError):
        np_utils.convert_kernel(np.zeros((2, 2)), 'tf')
    with pytest.raises(ValueError):
        np_utils.convert_kernel(np.zeros((2, 2, 2, 2)), 'xx')


@pytest.mark.parametrize('args, expected', [
    ((28, 3, 'valid', 1), 26),
    ((28, 3, 'same', 1), 28),
    ((28, 3, 'full', 1), 30),
    ((28, 3, 'valid', 2), 13),
    ((28, 3, 'same', 2), 14),
    ((29, 3, 'same', 2), 15),
    ((28, 3, 'full', 3), 10),
    ((10, 3, 'valid', 1, 2), 6),   # dilated filter size 5
    ((10, 3, 'full', 1, 2), 14),
    ((10, 3, 'same', 1, 2), 10),
    ((None, 3, 'valid', 1), None),
])
def test_conv_output_length(args, expected):
    assert np_utils.conv_output_length(*args) == expected


@pytest.mark.parametrize('args, expected', [
    ((26, 3, 'valid', 1), 28),
    ((28, 3, 'same', 1), 28),
    ((30, 3, 'full', 1), 28),
    ((14, 3, 'same', 2), 27),
    ((13, 3, 'valid', 2), 27),
    ((14, 4, 'same', 2), 26),
    ((None, 3, 'valid', 1), None),
])
def test_conv_input_length(args, expected):
    assert np_utils.conv_input_length(*args) == expected


def test_bad_border_mode():
    with pytest.raises(AssertionError):
        np_utils.conv_output_length(10, 3, 'causal', 1)
    with pytest.raises(AssertionError):
        np_utils.conv_input_length(10, 3, 'causal', 1)
