"""Random tensors on seedable generators, and dropout.

Each call creates its own PyTensor generator (a shared variable), seeded from
``seed`` or, when ``seed`` is None, from NumPy's global generator, so that
``np.random.seed(n)`` makes a whole run reproducible as in Keras 1.
The generator's advance is registered here and added to the updates of every
``K.function`` whose graph draws from it.

>>> from keraslike import backend as K
>>> x = K.placeholder(shape=(None, 10))
>>> y = K.dropout(x, 0.5, seed=1)
"""
import weakref
import zlib

import numpy as np
import pytensor
import pytensor.tensor as pt

from pytensor.tensor.random.basic import UniformRV

from .config import floatx

# the generators that draws advance; K.function finds each one's next state in its own graph.
# A weak set: a dict generator -> next state kept every graph that ever drew (dropout),
# and through the tensors' _keras_history every layer and model, alive for good.
RNG_UPDATES = weakref.WeakSet()


def _generator(seed):
    if seed is None:
        seed = np.random.randint(10e6)
    rng = pytensor.shared(np.random.default_rng(int(seed)), name='keraslike_rng')
    return rng


def _draw(dist, seed, *params, size, dtype=None):
    rng = _generator(seed)
    next_rng, value = dist(*params, size=size, rng=rng, return_next_rng=True)
    RNG_UPDATES.add(rng)
    return pt.cast(value, dtype or floatx())


def _size(shape):
    return tuple(shape) if isinstance(shape, (list, tuple)) else shape


def random_normal(shape, mean=0.0, std=1.0, dtype=None, seed=None):
    return _draw(pt.random.normal, seed, mean, std, size=_size(shape), dtype=dtype)


def random_uniform(shape, low=0.0, high=1.0, dtype=None, seed=None):
    return _draw(_uniform, seed, low, high, size=_size(shape), dtype=dtype)


class _UniformRV(UniformRV):
    """``uniform`` drawn as ``rng.random`` in the output's precision, the same in C and Numba.

    PyTensor expands ``low``/``high`` to the rank of ``size``; NumPy then draws
    through its per-element broadcast loop, 3-4x slower than ``rng.random``
    (measured 11.7 ms against 2.5 ms for a (128, 32, 12, 12) dropout mask).
    A float32 output is drawn as float32 (NumPy's ``random(dtype=float32)``,
    24 bits from half of a 64-bit step), which halves the generator's work:
    in NUMBA mode the draws were a sixth of mnist_cnn's serial time. The
    Numba implementation registered below draws the same numbers from the
    same state, so C and NUMBA runs get the same dropout masks; JAX mode has
    its own generator.
    """

    def make_node(self, *args, **kwargs):
        _register_numba_uniform()
        return super().make_node(*args, **kwargs)

    def rng_fn(self, rng, low, high, size):
        if size is None or np.size(low) != 1 or np.size(high) != 1:
            return super().rng_fn(rng, low, high, size)
        lo, hi = float(np.ravel(low)[0]), float(np.ravel(high)[0])
        single = np.dtype(self.dtype) == np.float32
        u = rng.random(tuple(size), dtype=np.float32 if single else np.float64)
        if lo != 0. or hi != 1.:
            u = u.astype(np.float64) * (hi - lo) + lo
        return u.astype(self.dtype, copy=False)


_NUMBA_UNIFORM = []


def _register_numba_uniform():
    """Numba's core draw for :class:`_UniformRV` (once; imports numba only when it is there)."""
    if _NUMBA_UNIFORM:
        return
    _NUMBA_UNIFORM.append(True)
    state = np.random.get_state()   # importing numba must not move np.random's stream
    try:
        from pytensor.link.numba.dispatch import basic as numba_basic
        from pytensor.link.numba.dispatch.random import numba_core_rv_funcify
    except ImportError:
        return
    finally:
        np.random.set_state(state)

    @numba_core_rv_funcify.register(_UniformRV)
    def _core_uniform(op, node):
        single = np.dtype(node.outputs[1].type.dtype) == np.float32
        draw_dtype = np.float32 if single else np.float64

        @numba_basic.numba_njit
        def uniform(rng, low, high):
            u = rng.random(dtype=draw_dtype)
            if low == 0 and high == 1:
                return u
            return np.float64(u) * (np.float64(high) - np.float64(low)) + np.float64(low)
        # a key of our own: Numba's disk cache must not hand back the parent's core draw
        return uniform, zlib.crc32(b'keraslike _UniformRV v1 ' + str(draw_dtype).encode())


def _uniform(low, high, size, rng, return_next_rng):
    return _UniformRV(dtype=floatx())(low, high, size=size, rng=rng,
                                      return_next_rng=return_next_rng)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """0/1 draws with P(1) = ``p``, computed as ``uniform < p``.

    This is what Keras 1 got on Theano (MRG_RandomStreams.binomial draws a
    uniform and compares). It is also several times cheaper than a binomial
    draw in Numba and C, and it runs in JAX mode without NumPyro.
    """
    rng = _generator(seed)
    next_rng, u = _uniform(0., 1., size=_size(shape), rng=rng, return_next_rng=True)
    RNG_UPDATES.add(rng)
    p = p if hasattr(p, 'type') else np.asarray(p, dtype=u.dtype)
    return pt.cast(pt.lt(u, p), dtype or floatx())


def dropout(x, level, noise_shape=None, seed=None):
    """Inverted dropout: zero a fraction ``level`` of ``x`` and scale the rest by 1/(1-level)."""
    if level < 0. or level >= 1:
        raise ValueError('Dropout level must be in interval [0, 1[, got %r.' % (level,))
    retain = 1. - level
    shape = x.shape if noise_shape is None else noise_shape
    mask = random_binomial(shape, p=retain, dtype=x.dtype, seed=seed)
    if noise_shape is not None:
        # a size-1 axis of noise_shape broadcasts over that axis of x
        if not isinstance(noise_shape, (list, tuple)):
            noise_shape = [noise_shape[i] for i in range(x.ndim)]
        axes = [i for i, s in enumerate(noise_shape) if isinstance(s, int) and s == 1]
        mask = pt.specify_broadcastable(mask, *axes) if axes else mask
    return x * mask / np.asarray(retain, dtype=x.dtype)
