"""Zero-length axes from pooling and cropping, as Keras 1.2.2 on Theano gives them.

Keras 1.2.2 computed a pooled length with ``conv_output_length`` and Theano's
pooling floors its output at 0 (``Pool.out_shape``: ``max(out, 0)``), so a
'valid' window larger than its input built and ran with a zero-length axis;
cropping every step gave the empty slice ``a:L - b``. Here both build, run and
warn (``UserWarning`` naming the layer). A following Flatten refuses the shape,
as Keras 1.2.2's did ("not fully defined"). A convolution with a kernel larger
than its 'valid' input stays an error when the model is built: Theano's
convolution (CorrMM) refused an output length <= 0 when run ("impossible output
shape"), so no Keras 1 model ran with one.
"""
import importlib.util
import shutil
import warnings

import numpy as np
import pytest

from keraslike import backend as K
from keraslike.layers import (AveragePooling1D, AveragePooling2D, AveragePooling3D,
                              Convolution1D, Convolution2D, Cropping1D, Cropping2D, Cropping3D,
                              Flatten, MaxPooling1D, MaxPooling2D, MaxPooling3D)
from keraslike.models import Sequential

HAVE_JAX = importlib.util.find_spec('jax') is not None
HAVE_CXX = bool(shutil.which('g++') or shutil.which('c++'))
MODES = ['NUMBA'] + (['C'] if HAVE_CXX else []) + (['JAX'] if HAVE_JAX else [])

# (layer, input shape of one sample, expected output shape of one sample)
CASES = [
    (lambda **kw: MaxPooling2D((3, 3), dim_ordering='th', **kw), (1, 2, 2), (1, 0, 0)),
    (lambda **kw: MaxPooling2D((3, 3), dim_ordering='tf', **kw), (2, 2, 1), (0, 0, 1)),
    # stride 1 < pool: Keras 1's own shape would say (2 - 3 + 1) = 0 rows, 3 columns
    (lambda **kw: AveragePooling2D((3, 3), strides=(1, 1), dim_ordering='th', **kw), (1, 2, 5),
     (1, 0, 3)),
    (lambda **kw: AveragePooling2D((3, 3), dim_ordering='tf', **kw), (5, 2, 2), (1, 0, 2)),
    # Keras 1's conv_output_length gives -2 here; Theano's output had 0 steps
    (lambda **kw: MaxPooling1D(5, stride=1, **kw), (2, 2), (0, 2)),
    (lambda **kw: AveragePooling1D(5, **kw), (4, 2), (0, 2)),
    (lambda **kw: MaxPooling3D((3, 3, 3), dim_ordering='th', **kw), (1, 2, 4, 4), (1, 0, 1, 1)),
    (lambda **kw: AveragePooling3D((2, 2, 2), dim_ordering='tf', **kw), (4, 1, 2, 3),
     (2, 0, 1, 3)),
    (lambda **kw: Cropping1D((2, 2), **kw), (4, 1), (0, 1)),
    # more cropped than there is: still empty (a negative slice stop would wrap around)
    (lambda **kw: Cropping1D((1, 5), **kw), (4, 1), (0, 1)),
    (lambda **kw: Cropping2D(((1, 1), (0, 1)), dim_ordering='th', **kw), (1, 2, 3), (1, 0, 2)),
    (lambda **kw: Cropping2D(((0, 1), (2, 1)), dim_ordering='tf', **kw), (2, 3, 2), (1, 0, 2)),
    (lambda **kw: Cropping3D(((0, 0), (2, 2), (1, 0)), dim_ordering='tf', **kw), (3, 4, 3, 1),
     (3, 0, 2, 1)),
]


@pytest.mark.parametrize('make, sample, expected', CASES)
def test_layer_builds_warns_and_predicts_a_zero_length_axis(make, sample, expected):
    with pytest.warns(UserWarning, match='Layer shrinker: .*zero-length axis'):
        model = Sequential([make(input_shape=sample, name='shrinker')])
    assert model.output_shape == (None,) + expected
    x = np.random.RandomState(0).rand(3, *sample).astype('float32')
    y = model.predict(x)
    assert y.shape == (3,) + expected and y.dtype == np.float32


def test_a_layer_fed_an_empty_axis_does_not_warn_again():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter('always')
        model = Sequential([MaxPooling1D(5, input_shape=(4, 2), name='empties'),
                            AveragePooling1D(2, border_mode='same', name='same_on_empty'),
                            MaxPooling1D(2, name='valid_on_empty')])
    names = [str(w.message).split(':')[0] for w in seen if w.category is UserWarning]
    assert names == ['Layer empties']
    assert model.output_shape == (None, 0, 2)
    assert model.predict(np.ones((2, 4, 2), 'float32')).shape == (2, 0, 2)


def test_pooling_and_cropping_that_fit_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter('error', UserWarning)
        model = Sequential([MaxPooling2D((2, 2), input_shape=(1, 2, 2), dim_ordering='th'),
                            Cropping2D(((0, 0), (0, 0)), dim_ordering='th')])
    assert model.output_shape == (None, 1, 1, 1)


def test_cropping_an_unknown_length_to_nothing_gives_an_empty_axis():
    model = Sequential([Cropping1D((1, 1), input_shape=(None, 2))])
    assert model.output_shape == (None, None, 2)
    x = np.arange(12, dtype='float32').reshape(2, 3, 2)
    np.testing.assert_array_equal(model.predict(x), x[:, 1:2])
    assert model.predict(x[:, :2]).shape == (2, 0, 2)


def test_flatten_after_an_empty_axis_refuses_it_as_keras1_did():
    with pytest.warns(UserWarning, match='maxpooling'):
        with pytest.raises(ValueError, match=r'input to "Flatten" is not fully defined '
                                             r'\(got \(1, 0, 0\)\)'):
            Sequential([MaxPooling2D((3, 3), input_shape=(1, 2, 2), dim_ordering='th'),
                        Flatten()])


def test_convolution_larger_than_its_input_still_fails_when_built():
    with pytest.raises(ValueError, match=r'Layer big_conv: the kernel \(3, 3\).*larger than '
                                         r'the input \(None, 1, 2, 2\)'):
        Sequential([Convolution2D(1, 3, 3, input_shape=(1, 2, 2), dim_ordering='th',
                                  name='big_conv')])
    with pytest.raises(ValueError, match=r'Layer big_conv1d: the kernel \(3,\).*larger'):
        Sequential([Convolution1D(1, 3, input_shape=(2, 1), name='big_conv1d')])


# ---------------------------------------------------------------- the backend, every mode
def _pool_max_grad_reference(x):
    """d sum(2x2 max pool) / dx for (s, c, 2, 5): 1 at each window's maximum (no ties)."""
    g = np.zeros_like(x)
    for c0 in (0, 2):
        window = x[..., :, c0:c0 + 2].reshape(x.shape[:2] + (4,))
        r, c = np.unravel_index(window.argmax(-1), (2, 2))
        for idx in np.ndindex(*x.shape[:2]):
            g[idx + (r[idx], c0 + c[idx])] = 1
    return g


@pytest.fixture
def restore_mode():
    yield
    K.set_mode(None)


@pytest.mark.parametrize('mode', MODES)
def test_backend_pooling_with_no_window_in_every_mode(mode, restore_mode):
    # unknown spatial lengths: the output lengths are computed when run (floored at 0)
    x2 = K.placeholder(shape=(None, 1, None, None))
    x1 = K.placeholder(shape=(None, None, 2))
    x3 = K.placeholder(shape=(None, 1, None, None, None))
    outs = [K.pool2d(x2, (3, 3), strides=(3, 3), dim_ordering='th'),
            K.pool2d(x2, (3, 3), strides=(1, 1), dim_ordering='th', pool_mode='avg'),
            K.pool2d(x2, (2, 2), strides=(2, 2), dim_ordering='th'),            # fits
            K.pool1d(x1, 5, pool_mode='avg'),
            K.pool2d(x2, (3, 3), border_mode='same', dim_ordering='th', pool_mode='avg'),
            K.pool3d(x3, (3, 3, 3), dim_ordering='th')]
    loss = sum(K.sum(o) for o in outs)
    f = K.function([x2, x1, x3], outs + K.gradients(loss, [x2, x1, x3]), mode=mode)

    rng = np.random.RandomState(1)
    a, b, c = (rng.rand(*s).astype(K.floatx()) for s in [(2, 1, 2, 5), (2, 4, 2), (2, 1, 2, 4, 4)])
    *ys, g2, g1, g3 = f([a, b, c])
    assert [y.shape for y in ys] == [(2, 1, 0, 1), (2, 1, 0, 3), (2, 1, 1, 2), (2, 0, 2),
                                     (2, 1, 2, 5), (2, 1, 0, 2, 2)]
    np.testing.assert_allclose(ys[2][:, :, 0], np.stack([a[..., 0:2].max((-1, -2)),
                                                         a[..., 2:4].max((-1, -2))], -1),
                               rtol=1e-6)
    # the empty pools add nothing to the gradient; the 2x2 pool and the 'same' average do
    same_avg_grad = _same_avg_grad_reference(a.shape)
    np.testing.assert_allclose(g2, _pool_max_grad_reference(a) + same_avg_grad, rtol=1e-5)
    assert g1.shape == b.shape and not g1.any()
    assert g3.shape == c.shape and not g3.any()

    # empty inputs: no samples, and zero-length axes
    *ys, g2, g1, g3 = f([np.zeros((0, 1, 4, 4), K.floatx()), np.zeros((3, 0, 2), K.floatx()),
                         np.zeros((1, 1, 0, 3, 3), K.floatx())])
    assert [y.shape for y in ys] == [(0, 1, 1, 1), (0, 1, 2, 2), (0, 1, 2, 2), (3, 0, 2),
                                     (0, 1, 4, 4), (1, 1, 0, 1, 1)]
    assert (g2.shape, g1.shape, g3.shape) == ((0, 1, 4, 4), (3, 0, 2), (1, 1, 0, 3, 3))


def _same_avg_grad_reference(shape):
    """d sum(3x3 'same' average pool, stride 1, padding excluded) / dx, by brute force."""
    rows, cols = shape[-2:]
    g = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            cells = [(i, j) for i in range(r - 1, r + 2) for j in range(c - 1, c + 2)
                     if 0 <= i < rows and 0 <= j < cols]
            for i, j in cells:
                g[i, j] += 1. / len(cells)
    return np.broadcast_to(g, shape)
