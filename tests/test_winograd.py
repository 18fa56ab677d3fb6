"""Winograd F(2x2, 3x3) convolutions (``backend/ops/winograd_numba.py``) against SciPy, im2col and finite differences."""
import numpy as np
import pytest

from keraslike import backend as K
from keraslike.backend.ops import conv_numpy as conv_kernels, winograd_numba as winograd

from conv_test_utils import kernel_th_to_tf, ref_conv, th_to_tf
from test_backend_conv import check_gradients, evaluate, test_mode  # noqa: F401 (autouse mode)

RNG = np.random.RandomState(11)


@pytest.mark.parametrize('border_mode', ['valid', 'same', 'full'])
@pytest.mark.parametrize('size', [(7, 9), (8, 6)])   # odd and even output sizes
def test_conv2d_with_enough_channels_matches_scipy(border_mode, size):
    x = RNG.randn(3, 8, *size).astype('float32')
    w = RNG.randn(9, 8, 3, 3).astype('float32')
    b = RNG.randn(9).astype('float32')
    assert winograd.applies((3, 3), (1, 1), (1, 1), 1, 8, 9, (0, 0), (0, 0), 'float32')
    expected = ref_conv(x, w, (1, 1), border_mode) + b[:, None, None]
    got = evaluate(lambda a, k, c: K.bias_add(K.conv2d(a, k, (1, 1), border_mode, 'th'), c,
                                              'channels_first'), x, w, b)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    got_tf = evaluate(lambda a, k: K.conv2d(a, k, (1, 1), border_mode, 'tf'),
                      th_to_tf(x), kernel_th_to_tf(w))
    np.testing.assert_allclose(got_tf, th_to_tf(expected - b[:, None, None]), rtol=1e-4,
                               atol=1e-4)


def test_gradients_match_finite_differences():
    check_gradients(lambda a, k: K.conv2d(a, k, (1, 1), 'same', 'th'),
                    [RNG.randn(2, 8, 3, 4), RNG.randn(8, 8, 3, 3)], (2, 8, 3, 4))


def _kernel_results():
    """Forward, input and weight gradients of a padded convolution over several chunks."""
    x = RNG.randn(21, 12, 11, 10).astype('float32')
    w = RNG.randn(10, 12, 3, 3).astype('float32')
    bias = RNG.randn(10).astype('float32')
    lo, hi = (2, 0), (1, 2)
    y = conv_kernels.conv_forward(x, w, (1, 1), (1, 1), lo, hi, bias=bias)
    gy = RNG.randn(*y.shape).astype('float32')
    gx = conv_kernels.conv_grad_inputs(w, gy, x.shape[2:], (1, 1), (1, 1), lo)
    gw = conv_kernels.conv_grad_weights(x, gy, (3, 3), (1, 1), (1, 1), lo, hi)
    return [y, gx, gw]


def test_kernels_match_im2col_over_several_batches(monkeypatch):
    monkeypatch.setattr(winograd, 'workers', lambda: 3)     # 21 samples in 12 batches
    RNG.seed(3)
    fast = _kernel_results()
    monkeypatch.setattr(winograd, 'MIN_CHANNELS', 10 ** 9)
    RNG.seed(3)
    reference = _kernel_results()
    for got, expected in zip(fast, reference):
        assert got.shape == expected.shape and got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-3 * np.abs(expected).max())


def test_float64_is_exact_to_double_rounding():
    x = RNG.randn(4, 8, 6, 5)
    w = RNG.randn(8, 8, 3, 3)
    gy = RNG.randn(4, 8, 4, 3)
    np.testing.assert_allclose(winograd.forward(x, w, (0, 0), (0, 0)),
                               ref_conv(x, w[:, :, ::-1, ::-1], (1, 1), 'valid'), rtol=1e-12,
                               atol=1e-12)
    expected_gw = np.einsum('nfij,ncijkl->fckl', gy, np.lib.stride_tricks.sliding_window_view(
        x, (3, 3), axis=(2, 3)))
    np.testing.assert_allclose(winograd.grad_weights(x, gy, (0, 0)), expected_gw, rtol=1e-12,
                               atol=1e-11)


def test_only_3x3_stride_1_convolutions_with_enough_channels_apply():
    assert not winograd.applies((3, 3), (1, 1), (1, 1), 1, 3, 32, (0, 0), (0, 0), 'float32')
    assert not winograd.applies((3, 3), (2, 2), (1, 1), 1, 32, 32, (0, 0), (0, 0), 'float32')
    assert not winograd.applies((3, 3), (1, 1), (2, 2), 1, 32, 32, (0, 0), (0, 0), 'float32')
    assert not winograd.applies((5, 5), (1, 1), (1, 1), 1, 32, 32, (0, 0), (0, 0), 'float32')
    assert not winograd.applies((3, 3), (1, 1), (1, 1), 2, 32, 32, (0, 0), (0, 0), 'float32')
    assert not winograd.applies((3, 3), (1, 1), (1, 1), 1, 32, 32, (0, 0), (0, -1), 'float32')
    assert not winograd.applies((3, 3), (1, 1), (1, 1), 1, 32, 32, (0, 0), (0, 0), 'float16')


def test_float16_convolutions_take_the_im2col_path():
    x = RNG.randn(2, 8, 6, 6).astype('float16')
    w = RNG.randn(8, 8, 3, 3).astype('float16')
    y = conv_kernels.conv_forward(x, w, (1, 1), (1, 1), (0, 0), (0, 0))
    assert y.dtype == np.float16
    expected = ref_conv(x.astype('float64'), w[:, :, ::-1, ::-1].astype('float64'), (1, 1), 'valid')
    np.testing.assert_allclose(y, expected, rtol=2e-2, atol=5e-2)


def test_an_empty_batch_gives_empty_outputs_and_a_zero_weight_gradient():
    x = np.zeros((0, 8, 5, 5), 'float32')
    assert winograd.forward(x, np.ones((8, 8, 3, 3), 'float32'), (0, 0), (0, 0)).shape == (0, 8, 3, 3)
    gw = winograd.grad_weights(x, np.zeros((0, 8, 3, 3), 'float32'), (0, 0))
    assert gw.shape == (8, 8, 3, 3) and not gw.any()
