"""Backend configuration: floatx, epsilon, image ordering, execution mode, uids.

Settings come, in increasing priority, from the built-in defaults, the file
``~/.keraslike/keraslike.json`` (same keys as Keras 1's ``keras.json`` plus
``mode``), and the environment variables ``KERASLIKE_FLOATX``,
``KERASLIKE_EPSILON``, ``KERASLIKE_IMAGE_DIM_ORDERING`` and ``KERASLIKE_MODE``.

Execution modes (``mode`` in the file, ``KERASLIKE_MODE``, :func:`set_mode`,
or ``model.compile(..., mode=...)`` for one model):

- ``JAX``: XLA through ``jax.jit``; the default when jax is importable. Fastest
  steady state and compile here; compiled code is cached on disk
  (``~/.keraslike/jax_cache``). See ``runtime/jax_mode.py`` for its rules,
  and ``runtime/modes.py`` for when the default JAX mode gives way to NUMBA.
- ``NUMBA``: PyTensor's default linker. Slow first compile (tens of seconds),
  then cached on disk under PyTensor's ``base_compiledir``.
- ``C`` (an alias of PyTensor's ``CVM``): C code, needs a C compiler, and a
  BLAS for its matrix products. A pip-installed PyTensor does not find
  Debian's OpenBLAS, so when ``libopenblas.so`` is on the system and the user
  has not set ``blas__ldflags`` (``PYTENSOR_FLAGS``/``.pytensorrc``) it is set
  to ``-lopenblas`` (``runtime/blas.py``); with no BLAS the C mode warns what
  to install.
- ``FAST_COMPILE``: Python ops, minimal rewrites, for debugging.

>>> from keraslike import backend as K
>>> K.floatx(), K.epsilon(), K.image_dim_ordering()
('float32', 1e-07, 'th')
"""
import contextlib
import json
import os
from collections import defaultdict

import numpy as np

_FLOATX_CHOICES = ('float16', 'float32', 'float64')
_ORDERINGS = ('th', 'tf')
# PyTensor mode names a user may choose; 'C' is PyTensor's C backend, whose
# linker is called CVM (pure 'C' cannot run ops without C code).
_MODE_ALIASES = {'NUMBA': 'NUMBA', 'C': 'CVM', 'CVM': 'CVM', 'JAX': 'JAX',
                 'FAST_COMPILE': 'FAST_COMPILE', 'FAST_RUN': 'FAST_RUN',
                 'DEFAULT': None}

_config = {'floatx': 'float32', 'epsilon': 1e-7, 'image_dim_ordering': 'th', 'mode': None,
           'cpu_kernels': True, 'keep_freed_memory': True, 'safe_mode': True}
_SWITCHES = ('cpu_kernels', 'keep_freed_memory', 'safe_mode')
_UID_PREFIXES = defaultdict(int)
_LEGACY_WEIGHT_ORDERING = False


def config_dir():
    """The folder holding ``keraslike.json`` (``$KERASLIKE_HOME`` or ``~/.keraslike``)."""
    return os.environ.get('KERASLIKE_HOME') or os.path.join(os.path.expanduser('~'), '.keraslike')


def normalize_mode(mode):
    if mode is None:
        return None
    key = str(mode).upper()
    if key not in _MODE_ALIASES:
        raise ValueError('Unknown execution mode %r; expected one of %s.'
                         % (mode, ', '.join(sorted(k for k in _MODE_ALIASES if k != 'DEFAULT'))))
    return _MODE_ALIASES[key]


def _load():
    path = os.path.join(config_dir(), 'keraslike.json')
    if os.path.exists(path):
        try:
            with open(path) as f:
                user = json.load(f)
        except ValueError as e:
            raise ValueError('Could not parse %s: %s' % (path, e))
        for key in ('floatx', 'epsilon', 'image_dim_ordering', 'mode') + _SWITCHES:
            if key in user:
                _config[key] = user[key]
    env = {'floatx': 'KERASLIKE_FLOATX', 'epsilon': 'KERASLIKE_EPSILON',
           'image_dim_ordering': 'KERASLIKE_IMAGE_DIM_ORDERING', 'mode': 'KERASLIKE_MODE',
           'cpu_kernels': 'KERASLIKE_CPU_KERNELS',
           'keep_freed_memory': 'KERASLIKE_KEEP_FREED_MEMORY', 'safe_mode': 'KERASLIKE_SAFE_MODE'}
    for key, var in env.items():
        if os.environ.get(var):
            _config[key] = os.environ[var]
    for key in _SWITCHES:
        _config[key] = str(_config[key]).lower() not in ('0', 'false', 'no', 'off')
    set_floatx(_config['floatx'])
    set_epsilon(float(_config['epsilon']))
    set_image_dim_ordering(_config['image_dim_ordering'])
    set_mode(_config['mode'])


def epsilon():
    """The fuzz factor used in numeric expressions (default 1e-7)."""
    return _config['epsilon']


def set_epsilon(e):
    _config['epsilon'] = float(e)


def floatx():
    """The default float type as a string: 'float16', 'float32' or 'float64'."""
    return _config['floatx']


def set_floatx(floatx):  # Keras 1's parameter name (shadows the function here)
    value = str(floatx)
    if value not in _FLOATX_CHOICES:
        raise ValueError('Unknown floatx type: %s; expected one of %s' % (value, _FLOATX_CHOICES))
    _config['floatx'] = value
    import pytensor
    pytensor.config.floatX = value


def cast_to_floatx(x):
    """Cast a NumPy array (or number) to the default float type."""
    return np.asarray(x, dtype=_config['floatx'])


def image_dim_ordering():
    """'th' (channels first, the default here as on Theano) or 'tf' (channels last)."""
    return _config['image_dim_ordering']


def set_image_dim_ordering(dim_ordering):
    if dim_ordering not in _ORDERINGS:
        raise ValueError('Unknown dim_ordering: %r; expected "th" or "tf".' % (dim_ordering,))
    _config['image_dim_ordering'] = str(dim_ordering)


def image_data_format():
    """Keras 2 spelling of :func:`image_dim_ordering`."""
    return 'channels_first' if _config['image_dim_ordering'] == 'th' else 'channels_last'


def set_image_data_format(data_format):
    orderings = {'channels_first': 'th', 'channels_last': 'tf'}
    if data_format not in orderings:
        raise ValueError('Unknown data_format: %r' % (data_format,))
    set_image_dim_ordering(orderings[data_format])


def cpu_kernels():
    """Whether the default mode trains conv/pool/recurrent graphs with keraslike's CPU kernels.

    True unless ``cpu_kernels`` is false in ``keraslike.json`` or ``KERASLIKE_CPU_KERNELS=0``:
    then the default JAX mode compiles every graph, which is quicker on a model's first
    compile (a cold NUMBA compile takes 20-45 s) but trains mnist_cnn 1.6x and imdb_lstm
    1.3x slower (python -m keraslike.bench, 2 cores).
    """
    return _config['cpu_kernels']


def keep_freed_memory():
    """Whether compiled C/NUMBA functions keep glibc from unmapping freed memory (``runtime/memory.py``).

    True unless ``keep_freed_memory`` is false in ``keraslike.json`` or
    ``KERASLIKE_KEEP_FREED_MEMORY=0``.
    """
    return _config['keep_freed_memory']


def safe_mode():
    """Whether loading refuses configs holding marshalled Python lambdas (the default, True).

    False when ``"safe_mode": false`` is in ``keraslike.json``, ``KERASLIKE_SAFE_MODE=0`` is
    set, or after ``set_safe_mode(False)``. It is the default of ``load_model``'s and the
    ``model_from_*`` functions' ``safe_mode=None``; an explicit argument wins over it.
    """
    return _config['safe_mode']


def set_safe_mode(value):
    """Allow (False) or refuse (True) rebuilding marshalled lambdas when loading models.

    Accepts a bool or the strings of ``KERASLIKE_SAFE_MODE`` ('0', 'false', 'no', 'off').
    """
    if isinstance(value, str):
        value = value.strip().lower() not in ('0', 'false', 'no', 'off')
    elif not isinstance(value, (bool, int, np.bool_)):
        raise TypeError('set_safe_mode expects True or False, got %r.' % (value,))
    _config['safe_mode'] = bool(value)


def chosen_mode():
    """The mode chosen by configuration or :func:`set_mode` ('JAX', 'CVM', ...), or None.

    None means no choice: ``runtime.modes`` then applies the default mode and
    its per-graph fallbacks.
    """
    return _config['mode']


def set_mode(value):
    """Choose the execution mode for functions compiled from now on: 'NUMBA', 'C', 'JAX', ...

    ``None`` (or 'DEFAULT') returns to the default (``runtime.modes.default_mode``).
    """
    _config['mode'] = normalize_mode(value)


@contextlib.contextmanager
def using_mode(value):
    """Compile in mode ``value`` inside the block, then return to the setting before it
    (which may be "none chosen": ``K.mode()`` would report the default, but the
    default's per-graph fallbacks stay on only while nothing was chosen).

    >>> from keraslike import backend as K
    >>> with K.using_mode('NUMBA'):
    ...     K.mode()
    'NUMBA'
    """
    previous = _config['mode']
    set_mode(value)
    try:
        yield
    finally:
        _config['mode'] = previous


def backend():
    """The name of this backend: ``'pytensor'``."""
    return 'pytensor'


def get_uid(prefix=''):
    """Per-prefix counter starting at 1, used for automatic layer names (``dense_1``)."""
    _UID_PREFIXES[prefix] += 1
    return _UID_PREFIXES[prefix]


def reset_uids():
    _UID_PREFIXES.clear()


def is_keras_tensor(x):
    return hasattr(x, '_keras_shape')


def legacy_weight_ordering():
    return _LEGACY_WEIGHT_ORDERING


def set_legacy_weight_ordering(value):
    global _LEGACY_WEIGHT_ORDERING
    _LEGACY_WEIGHT_ORDERING = bool(value)


_load()
