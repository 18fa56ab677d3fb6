"""The JAX execution mode: one ``jax.jit``-compiled XLA program per compiled function.

What this module adds to PyTensor's JAX linker (facts measured on 2-core CPU
machines; see ``python -m keraslike.bench``):

- **A disk cache.** XLA programs go to JAX's persistent compilation cache,
  ``<config_dir>/jax_cache`` (``$KERASLIKE_JAX_CACHE`` overrides the folder;
  ``off`` disables it), so a second process builds the same model without
  running XLA's compiler again (it still traces: 0.3-1.5 s for the MLP).
- **Static shapes on demand.** ``jax.jit`` specializes on input shapes, so a
  graph whose shapes only flow into shape-aware ops runs with any batch size
  (the last, smaller batch of an epoch is one more trace). Graphs that turn
  the batch size into data (``reshape``/``zeros`` of a computed shape, random
  draws sized by ``x.shape``) fail to trace; :class:`runtime.function.Function`
  then recompiles such a graph with every input shape fixed, once per
  distinct set of input shapes.
- **Shared variables hold jax Arrays** after a JAX update, so parameters stay
  in XLA buffers between steps. ``K.get_value`` returns a writable NumPy
  copy, ``K.set_value`` takes NumPy, and functions compiled in another mode
  convert the values back to NumPy on their next call (``note_call`` and
  ``to_numpy`` below): mixing modes on one model works, at the price of
  that conversion.
- **Generators.** PyTensor's JAX linker gives each compiled function its own
  copy of every shared random generator: dropout masks differ from the
  Numba/C modes, and reseeding a generator does not reach a function
  compiled before.
- **Binomial draws** without NumPyro (PyTensor needs it for JAX): a
  ``jax.random.binomial`` implementation is registered here.
- **Shape arithmetic runs in NumPy while tracing** (``jax_shapes``): slice
  bounds and reshape sizes computed from ``K.shape(x)`` stay concrete, so
  such graphs trace with any batch or image size.
- **Constants stay NumPy** in the generated code (``jnp.array`` on each
  constant cost 10-30 ms apiece at every compile).
- **Updated variables are donated** to XLA (``donate_argnums``): the new
  weights and optimizer state are written into the buffers of the old ones
  instead of freshly allocated ones each step (the MLP benchmark's peak
  memory 456 -> 424 MB; its speed changed within the machine's noise, 0-10%).
  A value read with ``K.get_value`` is a copy, so it is
  not affected; a raw ``get_value(borrow=True)`` array of an updated variable
  is deleted by the next call, as JAX deletes every donated buffer.
"""
import contextlib
import os
import warnings
import weakref

import numpy as np

_STATE = {'setup': False, 'calls': 0, 'cache_dir': None, 'imported': False}


def import_jax():
    """``import jax`` (and PyTensor's JAX dispatch), leaving NumPy's global random stream as is.

    jax's first import draws from ``np.random`` (``jax/_src/clusters/k8s_cluster.py``
    picks retry delays with ``np.random.rand`` at import time), so after
    ``np.random.seed(1)`` every later draw (weight inits, ``fit``'s shuffle order)
    differed between the JAX mode and the C/NUMBA modes. Every module of
    ``backend/`` that imports jax does it through here.
    """
    if _STATE['imported']:
        import jax
        return jax
    state = np.random.get_state()
    try:
        import jax
        import pytensor.link.jax.dispatch  # noqa: F401  (imports the jax modules it uses)
    finally:
        np.random.set_state(state)
    _STATE['imported'] = True
    return jax


def cache_dir():
    """The folder of JAX's persistent compilation cache, or None when disabled."""
    from ..config import config_dir
    folder = os.environ.get('KERASLIKE_JAX_CACHE', os.path.join(config_dir(), 'jax_cache'))
    return None if folder.lower() in ('', '0', 'off', 'none') else folder


def setup():
    """Import jax once, turn on its disk cache and register the missing sampler."""
    if _STATE['setup']:
        return
    try:
        jax = import_jax()
    except ImportError:
        raise ImportError("The JAX execution mode needs jax: pip install jax jaxlib "
                          "(or choose another mode: K.set_mode('NUMBA')).")
    folder = cache_dir()
    if folder and not jax.config.jax_compilation_cache_dir:
        try:
            os.makedirs(folder, exist_ok=True)
            jax.config.update('jax_compilation_cache_dir', folder)
            # cache every program: a small MLP compiles in ~0.3 s, under JAX's 1 s default
            jax.config.update('jax_persistent_cache_min_compile_time_secs', 0)
            jax.config.update('jax_persistent_cache_min_entry_size_bytes', 0)
            _STATE['cache_dir'] = folder
        except OSError as e:  # a read-only home: run without the cache
            warnings.warn('JAX compilation cache disabled (%s).' % (e,))
    _register_binomial()
    _register_numpy_constants()
    from . import jax_shapes
    jax_shapes.register()
    _STATE['setup'] = True


def _register_numpy_constants():
    """Keep graph constants as NumPy arrays in the generated JAX code.

    PyTensor turns each constant into a ``jnp.array`` when it links a graph;
    each such call dispatches a small XLA computation (~10-30 ms apiece:
    0.3-0.8 s for the MLP's 26 constants, on every compile). NumPy constants
    are equally valid inside ``jax.jit`` (they become XLA literals when
    traced) and cost nothing to create.
    """
    from pytensor.link.jax.dispatch.basic import jax_typify

    @jax_typify.register(np.ndarray)
    def jax_typify_ndarray(data, dtype=None, **kwargs):
        if len(data.shape) == 0:
            return data.item()
        return data if dtype is None or data.dtype == np.dtype(dtype) else data.astype(dtype)


def _register_binomial():
    jax = import_jax()
    import pytensor.tensor.random.basic as ptr
    from pytensor.link.jax.dispatch import random as jax_random
    if getattr(jax_random, 'numpyro_available', False):
        return

    @jax_random.jax_sample_fn.register(ptr.BinomialRV)
    def jax_sample_fn_binomial(op, node):
        def sample_fn(rng_key, size, dtype, n, p):
            shape = None if size is None else tuple(size)
            draw = jax.random.binomial(rng_key, n, p, shape=shape)
            return draw.astype(dtype)
        return sample_fn


def pytensor_mode():
    """PyTensor's JAX mode (its rewrites) with a linker that donates updated inputs.

    (Serializing whole executables, to skip tracing in a second process as
    well, was tried: XLA:CPU executables of the MLP failed to run after
    deserialization in jax 0.12 — 'Function iota_reduce_fusion.1 not found'.)
    """
    setup()
    if _STATE.get('mode') is None:
        import pytensor.compile.mode as pt_mode
        base = pt_mode.get_mode('JAX')
        _STATE['mode'] = pt_mode.Mode(linker=_donating_linker()(),
                                      optimizer=base.provided_optimizer)
    return _STATE['mode']


def _donating_linker():
    """PyTensor's JAX linker, compiling with the updated shared variables donated.

    PyTensor stores a function's update for an input (``fgraph.update_mapping``:
    output index -> input index) back into that input's container right after
    the call, so nothing reads the donated buffer again.
    """
    from pytensor.link.jax.linker import JAXLinker

    class DonatingJAXLinker(JAXLinker):
        def jit_compile(self, fn):
            jax = import_jax()
            mapping = getattr(self.fgraph, 'update_mapping', None) or {}
            donated = tuple(sorted(set(mapping.values()) - set(self.scalar_shape_inputs)))
            if not donated or self.scalar_shape_inputs:
                # shape arguments are static there: PyTensor wraps the jit itself
                return super().jit_compile(fn)
            return jax.jit(fn, donate_argnums=donated)
    return DonatingJAXLinker


def on_cpu():
    """True when JAX computes on the CPU (no GPU or TPU backend installed)."""
    setup()
    return import_jax().default_backend() == 'cpu'


def x64():
    """A context in which JAX traces and runs with 64-bit types (float64 graphs).

    Scoped, not global: turning ``jax_enable_x64`` on for the process would
    make every float32 graph's float64 accumulators really float64.
    """
    jax = import_jax()
    scoped = getattr(jax, 'enable_x64', None)
    if callable(scoped):
        try:
            return scoped(True)
        except TypeError:
            pass
    warnings.warn('This jax has no scoped enable_x64: the float64 graph runs in float32.')
    return contextlib.nullcontext()


# JAX's in-memory caches (traced jaxprs, lowerings, executables: bounded LRUs of thousands
# of entries) keep what every dropped model's functions traced, keyed by shapes, which a new
# model rarely repeats: a process building model after model grew ~1.2 MB per small model
# (benchmarks/memory_many_models.py). They are cleared when a new JAX function is made after
# some died and none is alive (nothing live has to trace again), or after CLEAR_AFTER died
# anyway (a live function then traces once more on its next call; ~0.3-1.5 s).
CLEAR_AFTER = 100
_LIVE = weakref.WeakSet()   # Functions compiled in JAX mode
_DEAD = [0]                 # how many died since the caches were last cleared


def track(function):
    """Note a new JAX-mode ``Function``; first clear JAX's caches when that is cheap."""
    if _DEAD[0] and (not _LIVE or _DEAD[0] >= CLEAR_AFTER):
        clear_caches()
    _LIVE.add(function)
    weakref.finalize(function, _died)


def _died():  # runs inside garbage collection: only count (clearing waits for track)
    _DEAD[0] += 1


def clear_caches():
    """Drop JAX's in-memory compilation caches (not the disk cache)."""
    _DEAD[0] = 0
    import_jax().clear_caches()


def note_call():
    """Record that a JAX function ran: shared variables may now hold jax Arrays."""
    _STATE['calls'] += 1


def calls():
    return _STATE['calls']


def to_numpy(containers):
    """Turn jax Arrays held by shared-variable containers back into writable NumPy arrays."""
    for container in containers:
        value = container.storage[0]
        if value is not None and not isinstance(value, (np.ndarray, np.generic)) \
                and hasattr(value, '__array__'):
            container.storage[0] = np.array(value)


# errors that mean "this graph needs static shapes" when raised while tracing
def trace_errors():
    errors = (TypeError, NotImplementedError, ValueError, IndexError)
    try:
        errors += (import_jax().errors.ConcretizationTypeError,)
    except (ImportError, AttributeError):
        pass
    return errors


# Warnings every JAX compile of a Keras model would print, all expected:
# PyTensor copies shared generators (see above); it drops shape Asserts, which
# JAX checks itself while tracing; and JAX, without x64, truncates the float64
# accumulators of PyTensor's float32 sums (``Sum{acc=float64}``) and int64
# shape arithmetic to 32 bits. The graphs' float variables stay float32.
_KNOWN_WARNINGS = ('The RandomType SharedVariables', 'Skipping Assert', 'Split node does not',
                   'Explicitly requested dtype')


@contextlib.contextmanager
def quiet():
    """Silence the expected warnings of compiling and tracing (see ``_KNOWN_WARNINGS``)."""
    with warnings.catch_warnings():
        for message in _KNOWN_WARNINGS:
            warnings.filterwarnings('ignore', message=message, category=UserWarning)
        yield
