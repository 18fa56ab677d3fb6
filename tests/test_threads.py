"""The kernels' worker threads, the fast uniform draw, and the default mode's choice of engine.

Also what comes with the worker threads: matrix products split over them
(``parallel_dot``) and glibc's malloc kept from unmapping freed memory.
"""
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from keraslike import backend as K
from keraslike.backend.ops import conv_numpy as conv_kernels, parallel_dot, pool_numpy as pool_kernels
from keraslike.backend.runtime import threads
from keraslike.backend.runtime.graph_rebuild import ancestors
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


def test_float32_draws_are_numpys_float32_stream_in_c_and_numba():
    """Dropout masks: half the generator work of double draws, the same numbers in both modes."""
    expected = np.random.default_rng(11).random((64, 33), dtype=np.float32)
    for mode in ('C', 'NUMBA'):
        got = K.function([], [K.random_uniform((64, 33), seed=11)], mode=mode)([])[0]
        np.testing.assert_array_equal(got, expected)


def test_default_mode_trains_convolutions_with_the_cpu_kernels(default_mode_with_cpu_kernels):
    pytest.importorskip('jax')
    from keraslike.backend import config
    from keraslike.backend.runtime import jax_mode
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


@pytest.mark.parametrize('m,k,n', [(300, 200, 40), (40, 200, 300), (3, 4, 5)])
def test_parallel_dot_matches_numpy_splitting_rows_or_columns(m, k, n):
    rng = np.random.RandomState(m)
    x, y = rng.randn(m, k).astype('float32'), rng.randn(k, n).astype('float32')
    np.testing.assert_allclose(parallel_dot.parallel_dot(x, y), x @ y, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(parallel_dot.parallel_dot(y.T, x.T), (x @ y).T, rtol=1e-4,
                               atol=1e-4)   # transposed (non-contiguous) operands


def _op_names(variables):
    return {type(v.owner.op).__name__ for v in ancestors(variables) if v.owner is not None}


def test_substitute_swaps_every_matrix_product_gradients_included():
    x = K.placeholder(shape=(None, 6))
    w = K.variable(np.random.RandomState(1).randn(6, 4))
    loss = K.sum(K.relu(K.dot(x, w)))
    outs = [loss] + K.gradients(loss, [w, x])
    swapped = parallel_dot.substitute(outs)
    names = _op_names(swapped)
    # the gradient refers to the forward product too: no copy of the old Dot may survive
    assert 'Dot' not in names and 'ParallelDot' in names
    xv = np.random.RandomState(2).randn(5, 6).astype('float32')
    for a, b in zip(K.function([x], outs, mode='C')([xv]),
                    K.function([x], swapped, mode='C')([xv])):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_conv_graph_computes_its_dense_layers_on_the_workers():
    model = Sequential([Convolution2D(2, 3, 3, input_shape=(1, 6, 6)), Flatten(), Dense(3)])
    model.compile('sgd', 'mse', mode='C')
    model.train_on_batch(np.zeros((2, 1, 6, 6), 'float32'), np.zeros((2, 3), 'float32'))
    nodes = model.model.train_function._fn.maker.fgraph.toposort()
    assert any(type(n.op).__name__ == 'ParallelDot' for n in nodes)
    plain = Sequential([Dense(3, input_shape=(4,))])
    plain.compile('sgd', 'mse', mode='C')
    plain.train_on_batch(np.zeros((2, 4), 'float32'), np.zeros((2, 3), 'float32'))
    nodes = plain.model.train_function._fn.maker.fgraph.toposort()
    assert not any(type(n.op).__name__ == 'ParallelDot' for n in nodes)  # BLAS threads serve


_FAULTS = textwrap.dedent("""
    import resource, sys
    import numpy as np
    if sys.argv[1] == 'keep':
        from keraslike.backend.runtime import memory
        assert memory.keep_freed_memory()
    for i in range(11):
        if i == 1:   # the first step's pages are new in any case
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        # a step's worth of 20 MB intermediates, all freed at its end
        step = [np.ones(5 << 20, dtype='float32') for _ in range(3)]
        del step
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")


def _page_faults(how):
    out = subprocess.run([sys.executable, '-c', _FAULTS, how], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.split()[-1])


def test_keep_freed_memory_stops_page_faults_on_reused_blocks():
    import platform
    if platform.system() != 'Linux' or platform.libc_ver()[0] != 'glibc':
        pytest.skip('mallopt is glibc only')
    default, kept = _page_faults('default'), _page_faults('keep')
    # by default glibc hands freed blocks back (munmap, heap trim) and later steps fault them
    # in again (measured ~10,000 faults over these 10 steps); kept, they are reused
    assert default > 1000
    assert kept < default / 10


def test_keep_freed_memory_can_be_switched_off(monkeypatch):
    from keraslike.backend import config
    from keraslike.backend.runtime import memory
    monkeypatch.setattr(memory, '_DONE', [])
    monkeypatch.setitem(config._config, 'keep_freed_memory', False)
    assert memory.keep_freed_memory() is False
