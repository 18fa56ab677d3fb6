"""The kernels' worker threads, the fast uniform draw, and the default mode's choice of engine."""
import numpy as np
import pytest
from threadpoolctl import threadpool_info

from keraslike import backend as K
from keraslike.backend import conv_kernels, pool_kernels, threads
from keraslike.layers import Activation, Convolution2D, Dense, Flatten, MaxPooling2D
from keraslike.models import Sequential


def _blas_threads():
    return [lib['num_threads'] for lib in threadpool_info() if lib['user_api'] == 'blas']


@pytest.mark.parametrize('n,parts', [(10, 3), (2, 5), (7, 1), (128, 2)])
def test_split_covers_the_range_in_order(n, parts):
    ranges = threads.split(n, parts)
    assert ranges[0][0] == 0 and ranges[-1][1] == n
    assert all(a < b for a, b in ranges)
    assert all(r[1] == s[0] for r, s in zip(ranges, ranges[1:]))
    assert len(ranges) == min(n, parts)


def test_parallel_map_keeps_order_and_restores_blas_threads():
    before = _blas_threads()
    inside = []

    def job(i):
        inside.append(_blas_threads())
        return np.dot(np.full((64, 64), i, 'float32'), np.eye(64, dtype='float32'))[0, 0]

    assert threads.parallel_map(job, range(8)) == list(range(8))
    if threads.workers() > 1:
        assert all(all(t == 1 for t in seen) for seen in inside)  # BLAS single-threaded meanwhile
    assert _blas_threads() == before


@pytest.fixture
def one_worker():
    previous = threads.workers()
    K.set_blas_threads(1)
    yield
    K.set_blas_threads(previous)


def test_kernels_give_the_same_result_on_one_thread(one_worker):
    rng = np.random.RandomState(0)
    x = rng.rand(9, 3, 11, 10).astype('float32')
    w = rng.rand(4, 3, 3, 2).astype('float32')
    args = dict(strides=(2, 1), dilation=(1, 2), lo=(1, 0), hi=(1, 1))
    serial = conv_kernels.conv_forward(x, w, **args)
    gy = rng.rand(*serial.shape).astype('float32')
    serial_gw = conv_kernels.conv_grad_weights(x, gy, (3, 2), **args)
    serial_gi = conv_kernels.conv_grad_inputs(w, gy, (11, 10), args['strides'],
                                              args['dilation'], args['lo'])
    serial_pool = pool_kernels.pool_forward(x, (2, 3), (1, 2), (1, 1), 'max', False)
    K.set_blas_threads(2)
    np.testing.assert_allclose(conv_kernels.conv_forward(x, w, **args), serial, rtol=1e-6)
    np.testing.assert_allclose(conv_kernels.conv_grad_weights(x, gy, (3, 2), **args),
                               serial_gw, rtol=1e-5)
    np.testing.assert_allclose(conv_kernels.conv_grad_inputs(w, gy, (11, 10), args['strides'],
                                                             args['dilation'], args['lo']),
                               serial_gi, rtol=1e-5)
    np.testing.assert_array_equal(
        pool_kernels.pool_forward(x, (2, 3), (1, 2), (1, 1), 'max', False), serial_pool)


@pytest.mark.parametrize('mode', ['C', 'NUMBA'])
def test_uniform_draws_follow_the_bounds_and_seed(mode):
    u = K.random_uniform((4000,), 2., 5., seed=3)
    f = K.function([], [u], mode=mode)
    a, b = f([])[0], f([])[0]
    assert a.dtype == np.float32 and 2. <= a.min() and a.max() < 5.
    assert abs(a.mean() - 3.5) < 0.05 and not np.array_equal(a, b)  # the generator advances
    again = K.function([], [K.random_uniform((4000,), 2., 5., seed=3)], mode=mode)([])[0]
    np.testing.assert_array_equal(a, again)


@pytest.fixture
def default_mode_with_cpu_kernels():
    from keraslike.backend import config
    saved = dict(config._config)
    K.set_mode(None)
    config._config['cpu_kernels'] = True
    yield
    config._config.update(saved)


def test_default_mode_trains_convolutions_with_the_cpu_kernels(default_mode_with_cpu_kernels):
    pytest.importorskip('jax')
    from keraslike.backend import config, jax_mode
    model = Sequential([Convolution2D(2, 3, 3, input_shape=(1, 6, 6)), MaxPooling2D(),
                        Flatten(), Dense(2), Activation('softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    model.train_on_batch(np.zeros((2, 1, 6, 6), 'float32'), np.eye(2, dtype='float32'))
    model.predict(np.zeros((2, 1, 6, 6), 'float32'))
    expected = 'NUMBA' if jax_mode.on_cpu() else 'JAX'
    assert model.model.train_function.mode == expected
    assert model.model.predict_function.mode == 'JAX'   # XLA runs the forward pass well
    chosen = Sequential([Convolution2D(2, 3, 3, input_shape=(1, 6, 6)), Flatten(), Dense(2)])
    chosen.compile('sgd', 'mse', mode='JAX')
    chosen.train_on_batch(np.zeros((2, 1, 6, 6), 'float32'), np.zeros((2, 2), 'float32'))
    assert chosen.model.train_function.mode == 'JAX'    # a mode asked for is kept
    config._config['cpu_kernels'] = False               # KERASLIKE_CPU_KERNELS=0
    off = Sequential([Convolution2D(2, 3, 3, input_shape=(1, 6, 6)), Flatten(), Dense(2)])
    off.compile('sgd', 'mse')
    off.train_on_batch(np.zeros((2, 1, 6, 6), 'float32'), np.zeros((2, 2), 'float32'))
    assert off.model.train_function.mode == 'JAX'


def test_a_conv_function_runs_blas_single_threaded_and_restores_it(monkeypatch):
    seen = []
    forward = conv_kernels.conv_forward

    def spy(*args, **kwargs):
        seen.append(_blas_threads())
        return forward(*args, **kwargs)

    monkeypatch.setattr(conv_kernels, 'conv_forward', spy)  # the C-mode Op looks it up per call
    x = K.placeholder(shape=(None, 1, 5, 5))
    w = K.variable(np.ones((2, 1, 3, 3), 'float32'))
    f = K.function([x], [K.conv2d(x, w)], mode='C')
    before = _blas_threads()
    out = f([np.ones((3, 1, 5, 5), 'float32')])[0]
    np.testing.assert_allclose(out, np.full((3, 2, 3, 3), 9.))
    assert seen and all(t == 1 for t in seen[-1])   # BLAS held at one thread during the call
    assert _blas_threads() == before
    g = K.function([x], [K.sum(x)], mode='C')
    assert not g._one_blas_thread     # plain graphs keep BLAS' own threads
