"""Backend convolution and pooling against SciPy/NumPy references and finite differences.

References are independent of the implementation: convolutions come from
``scipy.signal.convolve`` (true convolution, as Theano) cropped the way Keras 1
on Theano crops each border mode; pooling from explicit per-window loops with
Theano's padding rule. Most functions compile in FAST_COMPILE mode (same Ops,
run by their ``perform``); one shared graph is also compiled in the Numba and C
modes (and JAX when importable) and must agree.
"""
import os
import warnings

import numpy as np
import pytest

from conv_test_utils import kernel_th_to_tf, ref_conv, ref_pool, th_to_tf
from keraslike import backend as K
from keraslike.utils.np_utils import conv_output_length

MODE = os.environ.get('KERASLIKE_TEST_MODE', 'FAST_COMPILE')
RNG = np.random.RandomState(5)


@pytest.fixture(scope='module', autouse=True)
def test_mode():
    with K.using_mode(MODE):  # back to the setting before, 'none chosen' included
        yield


def evaluate(build, *arrays):
    """Compile ``build(*placeholders)`` (an output or a list) and run it on ``arrays``."""
    holders = [K.placeholder(shape=a.shape, dtype=str(a.dtype)) for a in arrays]
    outs = build(*holders)
    single = not isinstance(outs, (list, tuple))
    res = K.function(holders, [outs] if single else list(outs))(list(arrays))
    return res[0] if single else res


# ---------------------------------------------------------------- convolution values
CONV2D_CASES = [(b, s, d) for b in ('valid', 'same', 'full')
                for s, d in [((1, 1), (1, 1)), ((2, 1), (1, 1)), ((1, 3), (1, 1)),
                             ((1, 1), (2, 1)), ((2, 2), (1, 2))]]


@pytest.mark.parametrize('border_mode,strides,dilation', CONV2D_CASES)
def test_conv2d_matches_scipy_th_and_tf(border_mode, strides, dilation):
    x = RNG.randn(2, 3, 9, 8).astype('float32')
    w = RNG.randn(4, 3, 3, 2).astype('float32')   # even kernel axis exercises Keras' 'same' crop
    expected = ref_conv(x, w, strides, border_mode, dilation)
    got_th = evaluate(lambda a, b: K.conv2d(a, b, strides, border_mode, 'th',
                                            filter_dilation=dilation), x, w)
    got_tf = evaluate(lambda a, b: K.conv2d(a, b, strides, border_mode, 'tf',
                                            filter_dilation=dilation),
                      th_to_tf(x), kernel_th_to_tf(w))
    assert got_th.shape == expected.shape
    np.testing.assert_allclose(got_th, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got_tf, th_to_tf(expected), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('border_mode', ['valid', 'same', 'full'])
def test_conv3d_matches_scipy(border_mode):
    x = RNG.randn(2, 2, 5, 6, 4).astype('float32')
    w = RNG.randn(3, 2, 2, 3, 2).astype('float32')
    strides = (1, 2, 1) if border_mode != 'full' else (1, 1, 1)
    expected = ref_conv(x, w, strides, border_mode, (1, 1, 1))
    got = evaluate(lambda a, b: K.conv3d(a, b, strides, border_mode, 'th'), x, w)
    got_tf = evaluate(lambda a, b: K.conv3d(a, b, strides, border_mode, 'tf'),
                      th_to_tf(x), kernel_th_to_tf(w))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got_tf, th_to_tf(expected), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('border_mode,stride,dilation',
                         [('valid', 1, 1), ('same', 2, 1), ('full', 1, 2), ('same', 1, 3)])
def test_conv1d_matches_scipy(border_mode, stride, dilation):
    x = RNG.randn(3, 11, 4).astype('float32')            # (samples, steps, input_dim)
    w = RNG.randn(3, 4, 5).astype('float32')             # (length, input_dim, nb_filter)
    expected = ref_conv(x.transpose(0, 2, 1), w.transpose(2, 1, 0), (stride,), border_mode,
                        (dilation,)).transpose(0, 2, 1)
    got = evaluate(lambda a, b: K.conv1d(a, b, stride, border_mode, filter_dilation=dilation),
                   x, w)
    # Keras 1's Convolution1D kernel (length, 1, input_dim, nb_filter) gives the same result
    got4 = evaluate(lambda a, b: K.conv1d(a, b, stride, border_mode, filter_dilation=dilation),
                    x, w[:, None])
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got4, expected, rtol=1e-4, atol=1e-4)


def test_atrous_conv2d_is_dilated_conv2d():
    x = RNG.randn(2, 2, 9, 9).astype('float32')
    w = RNG.randn(3, 2, 3, 3).astype('float32')
    got = evaluate(lambda a, b: K.atrous_conv2d(a, b, rate=2, border_mode='same'), x, w)
    np.testing.assert_allclose(got, ref_conv(x, w, (1, 1), 'same', (2, 2)), rtol=1e-4, atol=1e-4)


def test_separable_conv2d_is_depthwise_then_pointwise():
    x = RNG.randn(2, 3, 7, 6).astype('float32')
    depthwise = RNG.randn(2, 3, 3, 3).astype('float32')      # (depth_multiplier, c_in, r, c)
    pointwise = RNG.randn(5, 6, 1, 1).astype('float32')      # (nb_filter, dm * c_in, 1, 1)
    for border_mode, strides in [('valid', (1, 1)), ('same', (2, 1))]:
        # depthwise output channel c * dm + m convolves input channel c with depthwise[m, c]
        mid = np.concatenate([ref_conv(x[:, c:c + 1], depthwise[m:m + 1, c:c + 1], strides,
                                       border_mode, (1, 1))
                              for c in range(3) for m in range(2)], axis=1)
        expected = np.einsum('fk,nkij->nfij', pointwise[:, :, 0, 0], mid)
        got = evaluate(lambda a, b, c: K.separable_conv2d(a, b, c, strides, border_mode, 'th'),
                       x, depthwise, pointwise)
        got_tf = evaluate(lambda a, b, c: K.separable_conv2d(a, b, c, strides, border_mode, 'tf'),
                          th_to_tf(x), np.transpose(depthwise, (2, 3, 1, 0)),
                          kernel_th_to_tf(pointwise))
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(got_tf, th_to_tf(expected), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('border_mode,strides', [('valid', (1, 1)), ('valid', (2, 2)),
                                                 ('same', (2, 1)), ('full', (1, 2))])
def test_deconv2d_is_the_adjoint_of_conv2d(border_mode, strides):
    """<deconv2d(x, W), z> == <x, conv2d(z, W')> with W' the kernel seen from the other side."""
    x = RNG.randn(2, 3, 4, 5).astype('float64')          # deconv input: c_in = 3
    w = RNG.randn(2, 3, 3, 2).astype('float64')   # Deconvolution2D W: (nb_filter, c_in, r, c)
    rows = [L for L in range(1, 20) if conv_output_length(L, 3, border_mode, strides[0]) == 4][0]
    cols = [L for L in range(1, 20) if conv_output_length(L, 2, border_mode, strides[1]) == 5][0]
    z = RNG.randn(2, 2, rows, cols)
    y = evaluate(lambda a, b: K.deconv2d(a, b, (None, 2, rows, cols), strides, border_mode),
                 x, w)
    assert y.shape == (2, 2, rows, cols)
    back = ref_conv(z, w.transpose(1, 0, 2, 3), strides, border_mode, (1, 1))
    np.testing.assert_allclose(np.sum(y * z), np.sum(x * back), rtol=1e-10)
    y_tf = evaluate(lambda a, b: K.deconv2d(a, b, (None, rows, cols, 2), strides, border_mode,
                                            'tf'), th_to_tf(x), kernel_th_to_tf(w))
    np.testing.assert_allclose(y_tf, th_to_tf(y), rtol=1e-10)


# ---------------------------------------------------------------- pooling values
POOL_CASES = [((2, 2), None, 'valid'), ((3, 3), (2, 2), 'valid'), ((3, 2), (1, 2), 'valid'),
              ((2, 2), None, 'same'), ((3, 3), (2, 2), 'same'), ((3, 2), (1, 1), 'same'),
              ((4, 1), (3, 1), 'same')]


@pytest.mark.parametrize('pool,strides,border_mode', POOL_CASES)
@pytest.mark.parametrize('pool_mode', ['max', 'avg'])
def test_pool2d_matches_loops(pool, strides, border_mode, pool_mode):
    strides = strides or pool
    x = RNG.randn(2, 3, 7, 8).astype('float32')
    expected = ref_pool(x, pool, strides, border_mode, pool_mode)
    got = evaluate(lambda a: K.pool2d(a, pool, strides, border_mode, 'th', pool_mode), x)
    got_tf = evaluate(lambda a: K.pool2d(a, pool, strides, border_mode, 'tf', pool_mode),
                      th_to_tf(x))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_tf, th_to_tf(expected), rtol=1e-5, atol=1e-6)


def test_pool_same_3x3_stride2_on_7x7_gives_4x4():
    x = RNG.randn(1, 1, 7, 7).astype('float32')
    assert evaluate(lambda a: K.pool2d(a, (3, 3), (2, 2), 'same'), x).shape == (1, 1, 4, 4)


@pytest.mark.parametrize('pool_mode', ['max', 'avg'])
@pytest.mark.parametrize('border_mode', ['valid', 'same'])
def test_pool3d_and_pool1d_match_loops(pool_mode, border_mode):
    x = RNG.randn(2, 2, 5, 4, 6).astype('float32')
    expected = ref_pool(x, (2, 3, 2), (2, 1, 2), border_mode, pool_mode)
    got = evaluate(lambda a: K.pool3d(a, (2, 3, 2), (2, 1, 2), border_mode, 'th', pool_mode), x)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    seq = RNG.randn(3, 9, 4).astype('float32')         # (samples, steps, features)
    expected1 = ref_pool(seq.transpose(0, 2, 1), (3,), (2,), border_mode,
                         pool_mode).transpose(0, 2, 1)
    got1 = evaluate(lambda a: K.pool1d(a, 3, 2, border_mode, pool_mode), seq)
    np.testing.assert_allclose(got1, expected1, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- gradients
def numeric_grad(f, arrays, index, eps=1e-6):
    """Central differences of scalar ``f(arrays)`` with respect to ``arrays[index]``."""
    base = [a.copy() for a in arrays]
    grad = np.zeros_like(base[index])
    for pos in np.ndindex(*grad.shape):
        for sign in (1, -1):
            probe = [a.copy() for a in base]
            probe[index][pos] += sign * eps
            grad[pos] += sign * f(probe)
    return grad / (2 * eps)


def check_gradients(op, arrays, out_shape):
    """Symbolic gradients of ``sum(R * op(*inputs))`` against central differences (float64)."""
    r = RNG.randn(*out_shape)
    holders = [K.placeholder(shape=a.shape, dtype='float64') for a in arrays]
    loss = K.sum(op(*holders) * K.constant(r, dtype='float64'))
    loss_fn = K.function(holders, [loss])
    grads = K.function(holders, K.gradients(loss, holders))(arrays)
    for i, g in enumerate(grads):
        np.testing.assert_allclose(g, numeric_grad(lambda a: loss_fn(a)[0], arrays, i),
                                   rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('border_mode,strides,dilation,ordering',
                         [('valid', (1, 1), (1, 1), 'th'), ('same', (2, 1), (1, 1), 'th'),
                          ('full', (1, 2), (2, 1), 'th'), ('same', (1, 1), (1, 1), 'tf')])
def test_conv2d_gradients_match_finite_differences(border_mode, strides, dilation, ordering):
    x = RNG.randn(2, 2, 5, 4)
    w = RNG.randn(3, 2, 3, 2)
    out_shape = ref_conv(x, w, strides, border_mode, dilation).shape
    if ordering == 'tf':
        x, w, out_shape = th_to_tf(x), kernel_th_to_tf(w), th_to_tf(np.zeros(out_shape)).shape
    check_gradients(lambda a, b: K.conv2d(a, b, strides, border_mode, ordering,
                                          filter_dilation=dilation), [x, w], out_shape)


@pytest.mark.parametrize('border_mode', ['valid', 'same'])
def test_first_layer_shapes_with_few_patch_rows_match_scipy_and_finite_differences(border_mode):
    """1 channel, 8 filters: the exact output grid (no full-width rows) in forward and gradients."""
    x = RNG.randn(2, 1, 7, 6).astype('float32')
    w = RNG.randn(8, 1, 3, 3).astype('float32')
    got = evaluate(lambda a, b: K.conv2d(a, b, (1, 1), border_mode, 'th'), x, w)
    np.testing.assert_allclose(got, ref_conv(x, w, (1, 1), border_mode), rtol=1e-4, atol=1e-4)
    out_shape = ref_conv(np.zeros((1, 1, 4, 5)), np.zeros((6, 1, 3, 3)), (1, 1), border_mode).shape
    check_gradients(lambda a, b: K.conv2d(a, b, (1, 1), border_mode, 'th'),
                    [RNG.randn(1, 1, 4, 5), RNG.randn(6, 1, 3, 3)], out_shape)


def test_conv3d_conv1d_deconv_separable_gradients_match_finite_differences():
    check_gradients(lambda a, b: K.conv3d(a, b, (1, 2, 1), 'same'),
                    [RNG.randn(1, 2, 3, 4, 3), RNG.randn(2, 2, 2, 2, 2)], (1, 2, 3, 2, 3))
    check_gradients(lambda a, b: K.conv1d(a, b, 2, 'valid'),
                    [RNG.randn(2, 7, 2), RNG.randn(3, 2, 2)], (2, 3, 2))
    check_gradients(lambda a, b: K.deconv2d(a, b, (None, 2, 7, 6), (2, 2), 'valid'),
                    [RNG.randn(2, 2, 3, 3), RNG.randn(2, 2, 2, 2)], (2, 2, 7, 6))
    check_gradients(lambda a, b, c: K.separable_conv2d(a, b, c, (1, 1), 'same'),
                    [RNG.randn(1, 2, 4, 3), RNG.randn(2, 2, 2, 2), RNG.randn(3, 4, 1, 1)],
                    (1, 3, 4, 3))


@pytest.mark.parametrize('pool_mode', ['max', 'avg'])
@pytest.mark.parametrize('pool,strides,border_mode', [((2, 2), (2, 2), 'valid'),
                                                      ((3, 3), (2, 2), 'same'),
                                                      ((2, 3), (1, 1), 'valid')])
def test_pool_gradients_match_finite_differences(pool_mode, pool, strides, border_mode):
    x = RNG.permutation(2 * 2 * 5 * 6).reshape(2, 2, 5, 6) * 0.1   # distinct values: no ties
    out_shape = ref_pool(x, pool, strides, border_mode, pool_mode).shape
    check_gradients(lambda a: K.pool2d(a, pool, strides, border_mode, 'th', pool_mode), [x],
                    out_shape)


def test_max_pool_gradient_goes_to_every_tied_maximum():
    x = np.array([[[[1., 1.], [0., 1.]]]], dtype='float32')
    holder = K.placeholder(shape=(1, 1, 2, 2))
    grad = K.function([holder], K.gradients(K.sum(K.pool2d(holder, (2, 2), (2, 2))),
                                            [holder]))([x])[0]
    np.testing.assert_array_equal(grad, [[[[1., 1.], [0., 1.]]]])


def test_second_order_gradients_match_finite_differences():
    """d/dx of ||dL/dw||^2 for a convolution, and of a max-pool gradient (what-where nets)."""
    x0, w0 = RNG.randn(1, 2, 4, 4), RNG.randn(2, 2, 2, 2)
    r = RNG.randn(1, 2, 3, 3)
    holders = [K.placeholder(shape=a.shape, dtype='float64') for a in (x0, w0)]
    loss = K.sum(K.conv2d(holders[0], holders[1]) * K.constant(r, dtype='float64'))
    gw = K.gradients(loss, [holders[1]])[0]
    outer = K.sum(K.square(gw))
    f = K.function(holders, [outer])
    g = K.function(holders, K.gradients(outer, [holders[0]]))([x0, w0])[0]
    np.testing.assert_allclose(g, numeric_grad(lambda a: f(a)[0], [x0, w0], 0), rtol=1e-6,
                               atol=1e-7)
    p0 = RNG.permutation(36).reshape(1, 1, 6, 6) * 0.1
    s = RNG.randn(1, 1, 6, 6)
    ph = K.placeholder(shape=p0.shape, dtype='float64')
    mask = K.gradients(K.sum(K.pool2d(ph, (2, 2), (2, 2))), [ph])[0]
    # the "where" mask times a smooth function of x: differentiable through PoolGrad
    what = K.sum(mask * K.square(ph) * K.constant(s, dtype='float64'))
    fw = K.function([ph], [what])
    gw2 = K.function([ph], K.gradients(what, [ph]))([p0])[0]
    np.testing.assert_allclose(gw2, numeric_grad(lambda a: fw(a)[0], [p0], 0), rtol=1e-6,
                               atol=1e-7)


@pytest.mark.parametrize('is_max', [True, False])
def test_2x2_pool_kernels_match_loops_and_clear_the_cells_past_the_last_window(is_max):
    """The 2x2 kernels write every cell of the gradient, whatever the buffer held before."""
    from keraslike.backend.ops import pool_numba
    x = np.round(RNG.randn(3, 5, 7), 1).astype('float32')    # ties; row 4 and column 6 left over
    x[0, 0, :2] = 2.0
    out = np.full((3, 2, 3), np.nan, 'float32')
    pool_numba.pool2x2_forward(x, is_max, out)
    windows = x[:, :4, :6].reshape(3, 2, 2, 3, 2).transpose(0, 1, 3, 2, 4).reshape(3, 2, 3, 4)
    np.testing.assert_allclose(out, windows.max(-1) if is_max else windows.mean(-1), rtol=1e-6)
    gz = RNG.randn(3, 2, 3).astype('float32')
    gx = np.full(x.shape, np.nan, 'float32')
    pool_numba.pool2x2_grad(x, out, gz, is_max, gx)
    expected = np.zeros(x.shape, 'float32')
    for p, oy, ox, dy, dx in np.ndindex(3, 2, 3, 2, 2):
        cell = (p, 2 * oy + dy, 2 * ox + dx)
        if not is_max:
            expected[cell] = gz[p, oy, ox] / 4
        elif x[cell] == out[p, oy, ox]:
            expected[cell] = gz[p, oy, ox]
    np.testing.assert_allclose(gx, expected, rtol=1e-6)


@pytest.mark.parametrize('pool_mode', ['max', 'avg'])
def test_tiled_pool1d_with_ties_and_a_remainder_matches_loops_and_finite_differences(pool_mode):
    seq = np.round(RNG.randn(2, 9, 3), 1)          # ties within windows; step 9 is left over
    seq[0, :2, 0] = 0.5
    expected = ref_pool(seq.transpose(0, 2, 1), (2,), (2,), 'valid', pool_mode).transpose(0, 2, 1)
    got = evaluate(lambda a: K.pool1d(a, 2, 2, 'valid', pool_mode), seq.astype('float32'))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    distinct = RNG.permutation(2 * 9 * 3).reshape(2, 9, 3) * 0.1
    check_gradients(lambda a: K.pool1d(a, 2, 2, 'valid', pool_mode), [distinct], expected.shape)


# ---------------------------------------------------------------- bias
def _conv_th(x, w, ordering):
    """Reference 'same' convolution, for arrays in ``ordering``."""
    if ordering == 'th':
        return ref_conv(x, w, (1, 1), 'same', (1, 1))
    th = ref_conv(x.transpose(0, 3, 1, 2), w.transpose(3, 2, 0, 1), (1, 1), 'same', (1, 1))
    return th_to_tf(th)


@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_bias_add_goes_into_the_convolution_and_matches_a_broadcast_add(ordering):
    x, w, b = RNG.randn(2, 3, 6, 5), RNG.randn(4, 3, 3, 2), RNG.randn(4)
    if ordering == 'tf':
        x, w = th_to_tf(x), kernel_th_to_tf(w)

    def conv_plus_bias(a, k, c):
        return K.bias_add(K.conv2d(a, k, (1, 1), 'same', ordering), c, ordering)

    y = conv_plus_bias(*[K.placeholder(shape=v.shape) for v in (x, w, b)])
    corr = y.owner if ordering == 'th' else y.owner.inputs[0].owner
    assert type(corr.op).__name__ == 'Corr' and len(corr.inputs) == 3   # one node, bias inside
    channel = (slice(None),) + (None,) * 2 if ordering == 'th' else (slice(None),)
    expected = _conv_th(x, w, ordering) + b[channel]
    got = evaluate(conv_plus_bias, *[v.astype('float32') for v in (x, w, b)])
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    check_gradients(conv_plus_bias, [x, w, b], expected.shape)


def test_bias_add_without_a_convolution_broadcasts_over_the_channel_axis():
    x, b = RNG.randn(2, 3, 4, 5).astype('float32'), RNG.randn(3).astype('float32')
    got = evaluate(lambda a, c: K.bias_add(a, c, 'channels_first'), x, b)
    np.testing.assert_allclose(got, x + b[:, None, None], rtol=1e-6)
    xt = RNG.randn(2, 4, 3).astype('float32')
    got = evaluate(lambda a, c: K.bias_add(a, c, 'tf'), xt, b)
    np.testing.assert_allclose(got, xt + b, rtol=1e-6)
    x2 = RNG.randn(4, 3).astype('float32')
    np.testing.assert_allclose(evaluate(K.bias_add, x2, b), x2 + b, rtol=1e-6)


def test_the_bias_gradient_is_differentiable_again():
    """d/dx of ||dL/db||^2 (through the gradient's channel sum), against finite differences."""
    x0, w0, b0 = RNG.randn(2, 2, 4, 4), RNG.randn(3, 2, 2, 2), RNG.randn(3)
    holders = [K.placeholder(shape=a.shape, dtype='float64') for a in (x0, w0, b0)]
    y = K.bias_add(K.conv2d(holders[0], holders[1]), holders[2])
    gb = K.gradients(K.sum(K.square(y)), [holders[2]])[0]
    outer = K.sum(K.square(gb))
    f = K.function(holders, [outer])
    g = K.function(holders, K.gradients(outer, [holders[0]]))([x0, w0, b0])[0]
    np.testing.assert_allclose(g, numeric_grad(lambda a: f(a)[0], [x0, w0, b0], 0),
                               rtol=1e-6, atol=1e-6)


def test_bias_add_rejects_a_bias_of_the_wrong_shape():
    x = K.placeholder(shape=(None, 2, 5, 5))
    y = K.conv2d(x, K.variable(np.zeros((4, 2, 3, 3))))
    with pytest.raises(ValueError, match='the bias must be a vector'):
        K.bias_add(y, K.variable(np.zeros((4, 1))))
    f = K.function([x], [K.bias_add(y, K.variable(np.zeros(3)))])   # sizes known when run
    with pytest.raises(ValueError, match=r'bias has shape \(3,\) but the kernel has 4 filters'):
        f([np.zeros((1, 2, 5, 5), dtype='float32')])


# ---------------------------------------------------------------- errors
def test_bad_input_gives_clear_errors():
    x = K.placeholder(shape=(None, 1, 4, 4))
    with pytest.raises(ValueError, match=r'larger than the input \(4, 4\).*valid'):
        K.conv2d(x, K.variable(np.zeros((2, 1, 5, 5))))
    with pytest.raises(ValueError, match='expects a 4D input'):
        K.conv2d(K.placeholder(shape=(None, 4, 4)), K.variable(np.zeros((2, 1, 3, 3))))
    with pytest.raises(ValueError, match="invalid border_mode 'half'"):
        K.conv2d(x, K.variable(np.zeros((2, 1, 3, 3))), border_mode='half')
    with pytest.raises(ValueError, match='input has 1 channels but the kernel'):
        K.conv2d(x, K.variable(np.zeros((2, 3, 3, 3))))
    # a pool larger than the input: a zero-length axis, as Theano (tests/test_zero_size_outputs.py)
    assert K.int_shape(K.pool2d(x, (5, 5)))[2:] == (0, 0)
    with pytest.raises(ValueError, match="invalid pool_mode 'sum'"):
        K.pool2d(x, (2, 2), pool_mode='sum')
    with pytest.raises(ValueError, match="invalid border_mode 'full'"):
        K.pool2d(x, (2, 2), border_mode='full')
    with pytest.raises(ValueError, match='strides must be 2 positive integers'):
        K.conv2d(x, K.variable(np.zeros((2, 1, 3, 3))), strides=(0, 1))


def test_run_time_mismatch_is_reported():
    x = K.placeholder(ndim=4)          # unknown shape: checked when the function runs
    f = K.function([x], [K.conv2d(x, K.variable(np.zeros((2, 3, 3, 3))))])
    with pytest.raises(ValueError, match=r'kernel \(3, 3\).*does not fit the padded input'):
        f([np.zeros((1, 3, 2, 2), dtype='float32')])
    with pytest.raises(ValueError, match='input has 2 channels but the kernel expects 3'):
        f([np.zeros((1, 2, 5, 5), dtype='float32')])


# ---------------------------------------------------------------- execution modes
@pytest.fixture(scope='module')
def mode_graph():
    """Every Op and gradient in one graph, and its outputs computed in FAST_COMPILE mode."""
    rng = np.random.RandomState(99)
    x = K.placeholder(shape=(None, 2, 7, 6))
    w = K.variable(rng.randn(3, 2, 3, 2).astype('float32'))
    r = rng.randn(2, 3, 4, 6).astype('float32')
    b = K.variable(rng.randn(3).astype('float32'))
    y = K.bias_add(K.conv2d(x, w, (2, 1), 'same'), b)
    p = K.pool2d(y, (3, 2), (2, 1), 'same')
    a = K.pool2d(x, (2, 2), (2, 2), pool_mode='avg')
    d = K.deconv2d(x, K.variable(rng.randn(4, 2, 2, 2).astype('float32')), (None, 4, 8, 7))
    loss = (K.sum(y * K.constant(r)) + K.sum(K.square(p)) + K.sum(K.square(a)) + K.sum(d)
            + K.sum(K.square(K.pool2d(y, (2, 2), (2, 2)))))
    outs = [y, p, a, d] + K.gradients(loss, [x, w, b])
    xv = rng.randn(2, 2, 7, 6).astype('float32')
    K.set_mode('FAST_COMPILE')
    try:
        expected = K.function([x], outs)([xv])
    finally:
        K.set_mode(MODE)
    return x, outs, xv, expected


@pytest.mark.parametrize('mode', ['NUMBA', 'C', 'JAX'])
def test_numba_c_and_jax_modes_agree(mode_graph, mode):
    if mode == 'JAX':
        pytest.importorskip('jax')
    x, outs, xv, expected = mode_graph
    K.set_mode(mode)
    try:
        with warnings.catch_warnings():
            # PyTensor warns when Numba falls back to object mode for an Op it cannot compile
            warnings.filterwarnings('error', message='.*object mode.*')
            got = K.function([x], outs)([xv])
    finally:
        K.set_mode(MODE)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(np.asarray(g), e, rtol=2e-5, atol=2e-5)
