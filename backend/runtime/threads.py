"""Threads for the NumPy/Numba kernels (convolution, pooling) and the BLAS they call.

The convolution kernels split a batch into chunks of samples. Run one after
another, each chunk's patch copy is single-threaded and its GEMM is too small
to keep a multi-threaded BLAS busy; worse, OpenBLAS' threads spin for a while
after each product and starve whatever runs next (measured on mnist_cnn's
second convolution, 2 cores: 53 ms per forward pass; 91 ms when Numba's own
thread pool ran beside OpenBLAS'). So the kernels hand their chunks to
:func:`parallel_map`: one worker per core, each with a single-threaded BLAS,
and nothing else competing for the cores.

>>> from keraslike import backend as K
>>> K.set_blas_threads(1)    # one thread for the kernels and for BLAS  # doctest: +SKIP
"""
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from math import prod

import numpy as np

_STATE = {'workers': None, 'executor': None, 'blas': None}
_LOCK = threading.Lock()
_ACTIVE = [0]           # parallel_map calls in flight (BLAS held at one thread meanwhile)
_LOCAL = threading.local()


def _cpu_count():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def workers():
    """Threads the kernels use: :func:`set_blas_threads`' count, else one per usable CPU."""
    if _STATE['workers'] is None:
        _STATE['workers'] = _cpu_count()
    return _STATE['workers']


def set_blas_threads(n):
    """Use ``n`` threads in the convolution and pooling kernels and in every loaded BLAS."""
    n = int(n)
    if n < 1:
        raise ValueError('set_blas_threads needs a positive thread count, got %d.' % n)
    try:
        import scipy.linalg.cython_blas  # noqa: F401  (the BLAS Numba calls; load it now)
    except ImportError:
        pass
    with _LOCK:
        _STATE['workers'] = n
        _STATE['blas'] = None    # found again: the limits below change what it restores
        if _STATE['executor'] is not None:
            _STATE['executor'].shutdown(wait=True)
            _STATE['executor'] = None
    from threadpoolctl import threadpool_limits
    threadpool_limits(n, user_api='blas')


def _blas():
    """threadpoolctl's handle on the loaded BLAS libraries, and their thread counts.

    Looked up again when modules were imported since (a new one may bring its own
    BLAS: SciPy's, a C-mode module linked to the system's); the lookup takes ~1.5 ms.
    """
    if _STATE['blas'] is None or _STATE.get('modules') != len(sys.modules):
        from threadpoolctl import ThreadpoolController
        libs = ThreadpoolController().select(user_api='blas').lib_controllers
        _STATE['blas'] = [(lib, lib.num_threads) for lib in libs]
        _STATE['modules'] = len(sys.modules)
    return _STATE['blas']


@contextmanager
def single_threaded_blas():
    """A context in which every loaded BLAS runs on one thread (nestable, thread-safe)."""
    with _LOCK:
        if _ACTIVE[0] == 0:
            for lib, _ in _blas():
                lib.set_num_threads(1)
            _STATE['held'] = _STATE['blas']   # what to restore, even if _blas() changes meanwhile
        _ACTIVE[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _ACTIVE[0] -= 1
            if _ACTIVE[0] == 0:
                for lib, count in _STATE['held']:
                    lib.set_num_threads(count)


def _executor():
    with _LOCK:
        if _STATE['executor'] is None:
            _STATE['executor'] = ThreadPoolExecutor(workers(), thread_name_prefix='keraslike')
        return _STATE['executor']


def _run(fn, item):
    _LOCAL.inside = True
    try:
        return fn(item)
    finally:
        _LOCAL.inside = False


def parallel_map(fn, items):
    """``[fn(item) for item in items]``, spread over :func:`workers` threads.

    ``fn`` must release the GIL for most of its time (NumPy copies and
    products, ``nogil`` Numba kernels). BLAS runs single-threaded meanwhile;
    calls from inside a worker run serially (no nested pools).
    """
    items = list(items)
    if len(items) < 2 or workers() < 2 or getattr(_LOCAL, 'inside', False):
        return [fn(item) for item in items]
    with single_threaded_blas():
        return list(_executor().map(_run, [fn] * len(items), items))


def split(n, parts):
    """``parts`` contiguous ``(start, stop)`` ranges covering ``range(n)``, none empty."""
    parts = max(1, min(n, parts))
    bounds = [n * i // parts for i in range(parts + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(parts)]


class _Workspace(object):
    """Buffers reused by every chunk of one call.

    A fresh large array per chunk costs page faults on first touch, measured
    at more than the GEMM itself.
    """

    def __init__(self, dtype):
        self.dtype = dtype
        self._bufs = {}

    def flat(self, name, size, zero=False):
        buf = self._bufs.get(name)
        if buf is None or buf.size < size:
            buf = self._bufs[name] = np.zeros(size, dtype=self.dtype)
            return buf[:size]
        buf = buf[:size]
        if zero:
            buf.fill(0)
        return buf

    def array(self, name, shape, zero=False):
        return self.flat(name, prod(shape), zero).reshape(shape)


def workspace(dtype):
    """This thread's buffers for ``dtype``, kept between calls (no page faults per call)."""
    spaces = getattr(_LOCAL, 'spaces', None)
    if spaces is None:
        spaces = _LOCAL.spaces = {}
    dtype = np.dtype(dtype)
    if dtype not in spaces:
        spaces[dtype] = _Workspace(dtype)
    return spaces[dtype]
