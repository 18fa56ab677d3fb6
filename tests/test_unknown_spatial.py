"""Graphs with unknown image sizes, or shapes computed from ``K.shape``, in the default JAX mode.

A fully convolutional net with ``input_shape=(1, None, None)`` ending in a
user-written spatial pyramid pooling layer (slice bounds from ``K.shape(x)``)
must train on images of two sizes in JAX mode, traced with free shapes (no
per-shape recompile, no fallback), also when the CPU-kernel preference is on.
Shape arithmetic (slices, reshapes, split sizes) computed from ``K.shape``
must trace too (``backend/runtime/jax_shapes.py``), and the convolution's input
gradient must be right with unknown sizes.
"""
import numpy as np
import pytest

from keraslike import backend as K
from keraslike.layers import Convolution2D, Dense, Layer
from keraslike.models import Sequential

pytest.importorskip('jax')


class SpatialPyramidPooling(Layer):
    """Max over an n x n grid of cells per level n, bounds computed from ``K.shape(x)``."""

    def __init__(self, levels, **kwargs):
        self.levels = tuple(levels)
        super(SpatialPyramidPooling, self).__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], input_shape[1] * sum(n * n for n in self.levels))

    def call(self, x, mask=None):
        rows, cols = K.shape(x)[2], K.shape(x)[3]
        outs = []
        for n in self.levels:
            row_len, col_len = K.cast(rows, 'float32') / n, K.cast(cols, 'float32') / n
            for i in range(n):
                for j in range(n):
                    r0, r1 = K.cast(row_len * i, 'int32'), K.cast(row_len * (i + 1), 'int32')
                    c0, c1 = K.cast(col_len * j, 'int32'), K.cast(col_len * (j + 1), 'int32')
                    outs.append(K.max(x[:, :, r0:r1, c0:c1], axis=(2, 3)))
        return K.concatenate(outs, axis=1)


def _images(rng, n, size):
    """Class 1 when the bright square is in the left half of the image, else class 0."""
    x = rng.rand(n, 1, size, size).astype('float32') * 0.1
    left = rng.rand(n) < 0.5
    for k in range(n):
        r = rng.randint(0, size - 3)
        c = rng.randint(0, size // 2 - 3) if left[k] else rng.randint(size // 2, size - 3)
        x[k, 0, r:r + 3, c:c + 3] = 1.
    return x, np.eye(2, dtype='float32')[left.astype(int)]


def test_fcn_with_spp_trains_on_two_image_sizes_in_jax(default_mode_with_cpu_kernels):
    np.random.seed(3)
    rng = np.random.RandomState(0)
    model = Sequential([Convolution2D(4, 3, 3, input_shape=(1, None, None), activation='relu'),
                        SpatialPyramidPooling((1, 2)), Dense(2, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy')
    sets = [_images(rng, 48, 12), _images(rng, 48, 16)]
    before = [model.evaluate(x, y, verbose=0) for x, y in sets]
    for _ in range(15):
        for x, y in sets:
            model.fit(x, y, batch_size=16, nb_epoch=1, verbose=0)
    after = [model.evaluate(x, y, verbose=0) for x, y in sets]
    fn = model.model.train_function
    # JAX, not the NUMBA mode the CPU kernels would pick, and without a fallback
    assert (fn.mode, fn.fallback_reason) == ('JAX', None)
    # traced with free shapes: no graph recompiled for a fixed input shape
    assert not fn._needs_static and fn._static == {}
    assert len(fn._seen_shapes) == 2
    for b, a in zip(before, after):
        assert a < 0.8 * b, (before, after)


def test_fixed_size_conv_net_still_trains_with_the_cpu_kernels(default_mode_with_cpu_kernels):
    """Only the images' sizes count: a layer's kernel is a shared variable whose static
    shape is all None, which must not send a fixed-size conv net to JAX (no compile here:
    the mode is chosen when the function is made)."""
    from keraslike.backend.runtime.modes import CPU_KERNELS_REASON
    from keraslike.layers import Flatten, MaxPooling2D
    model = Sequential([Convolution2D(4, 3, 3, input_shape=(1, 8, 8), activation='relu'),
                        MaxPooling2D(), Flatten(), Dense(2, activation='softmax')])
    model.compile('adadelta', 'categorical_crossentropy')
    model.model._make_train_function()
    fn = model.model.train_function
    assert (fn.mode, fn.fallback_reason) == ('NUMBA', CPU_KERNELS_REASON)


def test_shape_arithmetic_traces_with_any_batch_and_image_size():
    """Without ``jax_shapes``, slice bounds fail to trace; on PyTensor 3.0 (Python 3.11) the
    reshape size does too ('Shapes must be 1D sequences of concrete values')."""
    x = K.placeholder(shape=(None, 2, None, None))
    rows = K.shape(x)[2]
    half = K.cast(K.cast(rows, 'float32') / 2, 'int32')
    top = x[:, :, :half, :]                                      # a slice bound from a shape
    flat = K.reshape(top, (K.shape(x)[0] * 2, -1))               # a reshape size from a shape
    parts = K.concatenate([K.sum(top, axis=(2, 3)), K.sum(x[:, :, half:, :], axis=(2, 3))])
    grad = K.gradients(K.sum(parts * parts), [x])[0]             # Split of computed sizes
    fn = K.function([x], [flat, grad, K.shape(flat)[0] + 0], mode='JAX')
    for shape in [(3, 2, 4, 5), (1, 2, 7, 3), (2, 2, 6, 6)]:
        v = np.random.RandomState(1).rand(*shape).astype('float32')
        flat_v, grad_v, n = fn([v])
        h = shape[2] // 2
        np.testing.assert_allclose(flat_v, v[:, :, :h].reshape(shape[0] * 2, -1), rtol=1e-6)
        sums = np.concatenate([v[:, :, :h].sum((2, 3)), v[:, :, h:].sum((2, 3))], axis=1)
        expected = np.empty_like(v)
        expected[:, :, :h] = 2 * sums[:, :2, None, None]
        expected[:, :, h:] = 2 * sums[:, 2:, None, None]
        np.testing.assert_allclose(grad_v, expected, rtol=1e-5)
        assert n == shape[0] * 2
    assert not fn._needs_static and fn._static == {}


@pytest.mark.parametrize('mode', ['JAX', 'FAST_COMPILE'])
def test_conv_input_gradient_with_unknown_sizes(mode):
    """``CorrGradInputs`` takes x as a shape donor when its size is unknown (stride 2, 'same')."""
    rng = np.random.RandomState(0)
    w_value = rng.randn(3, 2, 3, 3).astype('float32')
    x = K.placeholder(shape=(None, 2, None, None))
    w = K.variable(w_value)
    y = K.conv2d(x, w, strides=(2, 2), border_mode='same')
    g = K.placeholder(shape=(None, 3, None, None))
    fn = K.function([x, g], K.gradients(K.sum(y * g), [x, w]), mode=mode)
    v = rng.randn(2, 2, 7, 6).astype('float32')
    gy = rng.randn(2, 3, 4, 3).astype('float32')
    gx, gw = fn([v, gy])
    # reference: the convolution as a dense linear map, built from NumPy loops
    vp = np.pad(v, ((0, 0), (0, 0), (1, 1), (1, 1)))
    ref_gx = np.zeros_like(vp)
    ref_gw = np.zeros_like(w_value)
    flipped = w_value[:, :, ::-1, ::-1]
    for i in range(4):
        for j in range(3):
            patch = vp[:, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3]
            ref_gx[:, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3] += np.einsum(
                'nf,fcab->ncab', gy[:, :, i, j], flipped)
            ref_gw += np.einsum('nf,ncab->fcab', gy[:, :, i, j], patch)[:, :, ::-1, ::-1]
    np.testing.assert_allclose(gx, ref_gx[:, :, 1:-1, 1:-1], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gw, ref_gw, rtol=1e-4, atol=1e-4)
