"""BLAS thread count for the convolution kernels (NumPy's BLAS) and Numba's BLAS (SciPy's).

Both libraries start one thread per core. On a small or busy machine,
multi-threaded OpenBLAS can spin-wait and run 5-10x slower than one thread
(measured on a loaded 2-core VM), so benchmarks and shared machines may want::

    from keraslike import backend as K
    K.set_blas_threads(1)
"""
import os
import warnings


def set_blas_threads(n):
    """Limit every loaded BLAS library (and Numba's, loaded here first) to ``n`` threads."""
    n = int(n)
    if n < 1:
        raise ValueError('set_blas_threads needs a positive thread count, got %d.' % n)
    try:
        import scipy.linalg.cython_blas  # noqa: F401  (the BLAS Numba calls; load it now)
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        # only reaches libraries loaded after this point
        os.environ['OPENBLAS_NUM_THREADS'] = str(n)
        os.environ['OMP_NUM_THREADS'] = str(n)
        warnings.warn('threadpoolctl is not installed: set OPENBLAS_NUM_THREADS=%d before '
                      'starting Python to limit BLAS threads.' % n)
        return
    threadpool_limits(n, user_api='blas')
