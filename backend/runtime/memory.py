"""Keep freed memory in the process so each training step does not page-fault it back in.

glibc hands large freed blocks back to the kernel (``munmap``, or trimming
the top of the heap), so the next step's arrays of the same sizes start as
fresh pages, and every first touch of a page is a fault. A NUMBA-mode graph
allocates its intermediates on every call: mnist_cnn took 4,900 page faults
and 30 ms of system time per 128-sample step (step 156 ms), and 0-1 faults
and 6-10 ms with the limits below (step 122-138 ms over several runs;
python's ``resource`` counters, 2 cores). PyTorch and JAX keep their own caching allocators for the same
reason.

:func:`keep_freed_memory` raises glibc's mmap threshold to its maximum
(blocks under 32 MB come from the heap) and its trim threshold to 512 MB (up
to that much freed heap stays mapped). It is called when a function is
compiled for the C or NUMBA modes; ``keep_freed_memory`` false in
``keraslike.json`` or ``KERASLIKE_KEEP_FREED_MEMORY=0`` leaves malloc alone.
Other C libraries (musl, macOS) have no ``mallopt`` and are left alone too.

>>> from keraslike.backend.runtime import memory
>>> memory.keep_freed_memory()    # doctest: +SKIP
True
"""
import ctypes

from .. import config

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20    # glibc's upper limit on 64-bit systems
TRIM_THRESHOLD = 512 << 20
_DONE = []


def keep_freed_memory():
    """Set glibc's malloc thresholds once per process; True when they are in effect."""
    if not _DONE:
        _DONE.append(config.keep_freed_memory() and _mallopt())
    return _DONE[0]


def _mallopt():
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    # the mmap threshold first: setting either one stops glibc adjusting both by itself
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
