"""The NumPy/Numba kernels behind convolution and pooling, on mnist_cnn's shapes (batch 128).

Run from the repository root (2 threads, as the bench)::

    pytest benchmarks/bench_kernels.py
    KERASLIKE_BENCH_THREADS=1 pytest benchmarks/bench_kernels.py

Each benchmark's ``extra_info`` holds the GFLOP/s achieved (convolutions). Measured on the 2-core
machine (best of the rounds, across runs): the second convolution's forward pass 19-26 ms
(52-70 GFLOP/s), weight gradient 22-26 ms, input gradient 23-28 ms; 2x2 max pooling 3.4-3.6 ms
forward, 9 ms gradient.
"""
import os

import numpy as np
import pytest

from keraslike import backend as K
from keraslike.backend.ops import conv_numpy as conv_kernels, pool_numpy as pool_kernels

THREADS = int(os.environ.get('KERASLIKE_BENCH_THREADS', '2'))
# (name, channels in, input side, filters): mnist_cnn's two 3x3 'valid' convolutions
LAYERS = [('conv1', 1, 28, 32), ('conv2', 32, 26, 32)]
ARGS = dict(strides=(1, 1), dilation=(1, 1), lo=(0, 0))


@pytest.fixture(scope='module', autouse=True)
def threads():
    K.set_blas_threads(THREADS)


def _arrays(c, side, f):
    rng = np.random.default_rng(0)
    x = rng.random((128, c, side, side), dtype=np.float32)
    w = rng.random((f, c, 3, 3), dtype=np.float32)
    gy = rng.random((128, f, side - 2, side - 2), dtype=np.float32)
    return x, w, gy


def _gflop(c, side, f):
    return 2 * 128 * f * (side - 2) ** 2 * c * 9 / 1e9


@pytest.mark.parametrize('name,c,side,f', LAYERS)
@pytest.mark.parametrize('kernel', ['forward', 'grad_weights', 'grad_inputs'])
def test_conv_kernel(benchmark, kernel, name, c, side, f):
    x, w, gy = _arrays(c, side, f)
    calls = {'forward': lambda: conv_kernels.conv_forward(x, w, hi=(0, 0), **ARGS),
             'grad_weights': lambda: conv_kernels.conv_grad_weights(x, gy, (3, 3), hi=(0, 0),
                                                                    **ARGS),
             'grad_inputs': lambda: conv_kernels.conv_grad_inputs(w, gy, (side, side), **ARGS)}
    benchmark(calls[kernel])
    if benchmark.stats is not None:   # None under --benchmark-disable
        benchmark.extra_info['gflops'] = _gflop(c, side, f) / benchmark.stats.stats.min


@pytest.mark.parametrize('kernel', ['forward', 'grad'])
def test_max_pool_kernel(benchmark, kernel):
    x = np.random.default_rng(0).random((128, 32, 24, 24), dtype=np.float32)
    y = pool_kernels.pool_forward(x, (2, 2), (2, 2), (0, 0), 'max', False)
    gz = np.ones_like(y)
    calls = {'forward': lambda: pool_kernels.pool_forward(x, (2, 2), (2, 2), (0, 0), 'max', False),
             'grad': lambda: pool_kernels.pool_grad(x, y, gz, (2, 2), (2, 2), (0, 0), 'max', False)}
    benchmark(calls[kernel])
