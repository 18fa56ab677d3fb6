"""Test-suite settings.

The default mode trains convolution and recurrent graphs in NUMBA mode on a CPU; a cold NUMBA
compile takes 20-45 s per model, which doubled the suite's time. The suite compiles them in the
default JAX mode instead (``KERASLIKE_CPU_KERNELS=0``, read when keraslike is imported);
tests/test_threads.py switches the preference back on to test it, and
``KERASLIKE_CPU_KERNELS=1 pytest`` runs everything with it.
"""
import os

os.environ.setdefault('KERASLIKE_CPU_KERNELS', '0')
