"""The machine's float32 matrix-multiply roofline, measured with NumPy.

The roofline is the best GFLOP/s of float32 GEMMs (NumPy's
BLAS, under the same thread limits as the benchmarked frameworks). The MLP's
achieved fraction is ``train samples/s * FLOP per sample / roofline``: how
much of the time goes into useful matrix products.

>>> r = gemm_roofline(sizes=(256,), repeats=2)
>>> sorted(r)
['gemm_gflops', 'gemm_shapes', 'numpy']
"""
import time

import numpy as np


def _best_gflops(m, k, n, repeats):
    rng = np.random.RandomState(0)
    a = rng.rand(m, k).astype('float32')
    b = rng.rand(k, n).astype('float32')
    a @ b  # warm the BLAS threads and caches
    best = float('inf')
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2. * m * k * n / best / 1e9


def gemm_roofline(sizes=(1024, 2048), repeats=10):
    """{'gemm_gflops': best GFLOP/s seen, 'gemm_shapes': {shape: GFLOP/s}, 'numpy': version}.

    Square products and the MLP's own first-layer product (128x784 by
    784x512); the roofline is the best of them (on a busy machine one size
    may be caught by another process's load).
    """
    shapes = {}
    for s in sizes:
        shapes['%dx%dx%d' % (s, s, s)] = _best_gflops(s, s, s, repeats)
    shapes['128x784x512'] = _best_gflops(128, 784, 512, repeats * 10)
    peak = max(shapes.values())
    return {'gemm_gflops': peak, 'gemm_shapes': shapes, 'numpy': np.__version__}
