"""Test-suite settings.

The default mode trains convolution and recurrent graphs in NUMBA mode on a CPU; a cold NUMBA
compile takes 20-45 s per model, which doubled the suite's time. The suite compiles them in the
default JAX mode instead (``KERASLIKE_CPU_KERNELS=0``, read when keraslike is imported);
the ``default_mode_with_cpu_kernels`` fixture switches the preference back on to test it, and
``KERASLIKE_CPU_KERNELS=1 pytest`` runs everything with it.
"""
import os

os.environ.setdefault('KERASLIKE_CPU_KERNELS', '0')

import pytest  # noqa: E402


@pytest.fixture
def default_mode_with_cpu_kernels():
    """The default mode as users get it: no mode chosen, the CPU-kernel preference on."""
    from keraslike import backend as K
    from keraslike.backend import config
    saved = dict(config._config)
    K.set_mode(None)
    config._config['cpu_kernels'] = True
    yield
    config._config.update(saved)
