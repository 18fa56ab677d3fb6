"""BLAS for the C mode: PyTensor's C backend linked to the system's OpenBLAS when it can be.

A pip-installed PyTensor does not find Debian's OpenBLAS; :func:`configure_blas`
(run when the backend is imported) points it there unless the user chose a BLAS.
"""
import os
import warnings

_BLAS_DIRS = ('/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64',
              '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu', '/lib64', '/lib')
_BLAS_STATE = {'source': None, 'warned': False}


def find_openblas():
    """The folder holding ``libopenblas.so`` among the linker's standard ones, or None."""
    for d in _BLAS_DIRS:
        if os.path.exists(os.path.join(d, 'libopenblas.so')):
            return d
    return None


def configure_blas():
    """Point PyTensor's C backend at the system OpenBLAS unless the user chose a BLAS.

    Returns how ``blas__ldflags`` was decided: 'user' (PYTENSOR_FLAGS or
    .pytensorrc), 'resolved' (already read in this process), 'openblas'
    (set to ``-lopenblas`` here) or 'search' (left to PyTensor's own search,
    which a pip-installed PyTensor runs at first use of the C mode, ~2 s).
    """
    import pytensor
    cfg = pytensor.config
    param = type(cfg).__dict__.get('blas__ldflags')
    flags = os.environ.get('PYTENSOR_FLAGS', '')
    user = 'blas__ldflags' in flags or 'blas.ldflags' in flags
    if not user:
        try:  # .pytensorrc (PYTENSOR_FLAGS entries are consumed when PyTensor starts)
            cfg.fetch_val_for_key('blas__ldflags')
            user = True
        except KeyError:
            pass
    if user:
        source = 'user'
    elif param is None:
        source = 'search'
    elif hasattr(param, 'val'):
        source = 'resolved'
    elif find_openblas():
        cfg.blas__ldflags = '-lopenblas'
        source = 'openblas'
    else:
        source = 'search'
    _BLAS_STATE['source'] = source
    return source


def blas_ldflags():
    """The linker flags PyTensor's C mode uses for BLAS ('' means none: slow products)."""
    import pytensor
    return pytensor.config.blas__ldflags


def check_c_mode_blas():
    """Warn once when the C mode compiles without a BLAS (matrix products then crawl)."""
    if _BLAS_STATE['warned']:
        return
    _BLAS_STATE['warned'] = True
    if not blas_ldflags():
        warnings.warn(
            'The C execution mode found no BLAS: its matrix products use a slow fallback '
            '(2x or more slower on an MLP). Install OpenBLAS (Debian/Ubuntu: apt-get install '
            'libopenblas-dev; keraslike then links it) or set '
            'PYTENSOR_FLAGS=blas__ldflags=<your flags>, or use the JAX or NUMBA mode.',
            RuntimeWarning, stacklevel=3)


configure_blas()
