"""Keras 2 spellings of the initialisations (``keras.initializers`` at 2.0.0).

Initialisers are objects with the Keras 1 calling convention used by every
layer here: ``init(shape, name=None, dim_ordering='th')`` returns a backend
variable. Values come from NumPy (``np.random``, or a private generator when
``seed`` is given), so ``np.random.seed(n)`` makes unseeded ones reproducible.

``dim_ordering`` describes the kernel layout for the fan computation: ``'th'``
means ``(out, in, *receptive_field)``, ``'tf'`` means ``(*receptive_field, in,
out)`` (Keras 2's only layout, ``channels_last``).

>>> from keraslike import initializers
>>> init = initializers.get('glorot_uniform')      # a VarianceScaling instance
>>> W = init((784, 512), name='dense_1_W')
>>> b = initializers.Constant(0.1)((512,), name='dense_1_b')
"""
import numpy as np

from keraslike import backend as K
from keraslike import initializations as _k1
from keraslike.utils.generic_utils import get_custom_objects, get_from_module


def _compute_fans(shape, dim_ordering='th'):
    """Keras 2 fan rule: like Keras 1's, but 3D kernels use their receptive field too."""
    shape = tuple(shape)
    if len(shape) in (3, 4, 5):
        if dim_ordering == 'th':
            rf = int(np.prod(shape[2:]))
            return shape[1] * rf, shape[0] * rf
        if dim_ordering == 'tf':
            rf = int(np.prod(shape[:-2]))
            return shape[-2] * rf, shape[-1] * rf
        raise ValueError('Invalid dim_ordering: ' + str(dim_ordering))
    return _k1.get_fans(shape, dim_ordering)


class Initializer(object):
    """Base class: ``init(shape, name=None, dim_ordering='th')`` -> variable."""

    def __call__(self, shape, name=None, dim_ordering='th', dtype=None):
        value = self.generate(tuple(int(s) for s in shape), dim_ordering)
        return K.variable(value, dtype=dtype, name=name)

    def generate(self, shape, dim_ordering='th'):
        """The initial value as a NumPy array."""
        raise NotImplementedError

    def _rng(self):
        seed = getattr(self, 'seed', None)
        return np.random if seed is None else np.random.RandomState(seed)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Zeros(Initializer):
    """All zeros. ``Zeros()((2, 3))``"""

    def generate(self, shape, dim_ordering='th'):
        return np.zeros(shape)


class Ones(Initializer):
    """All ones."""

    def generate(self, shape, dim_ordering='th'):
        return np.ones(shape)


class Constant(Initializer):
    """Every entry equal to ``value``. ``Constant(0.1)((4,))``"""

    def __init__(self, value=0):
        self.value = value

    def generate(self, shape, dim_ordering='th'):
        return np.full(shape, self.value, dtype='float64')

    def get_config(self):
        return {'value': self.value}


class RandomNormal(Initializer):
    """Gaussian ``N(mean, stddev)``."""

    def __init__(self, mean=0., stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def generate(self, shape, dim_ordering='th'):
        return self._rng().normal(self.mean, self.stddev, size=shape)

    def get_config(self):
        return {'mean': self.mean, 'stddev': self.stddev, 'seed': self.seed}


class RandomUniform(Initializer):
    """Uniform on ``[minval, maxval)``."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def generate(self, shape, dim_ordering='th'):
        return self._rng().uniform(self.minval, self.maxval, size=shape)

    def get_config(self):
        return {'minval': self.minval, 'maxval': self.maxval, 'seed': self.seed}


def _truncated_normal(rng, mean, stddev, shape):
    """N(mean, stddev) redrawn until within two standard deviations of the mean."""
    out = rng.normal(0., 1., size=shape)
    bad = np.abs(out) > 2.
    while np.any(bad):
        out[bad] = rng.normal(0., 1., size=int(bad.sum()))
        bad = np.abs(out) > 2.
    return mean + stddev * out


class TruncatedNormal(Initializer):
    """Gaussian ``N(mean, stddev)`` with values beyond 2 stddev redrawn."""

    def __init__(self, mean=0., stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def generate(self, shape, dim_ordering='th'):
        return _truncated_normal(self._rng(), self.mean, self.stddev, shape)

    def get_config(self):
        return {'mean': self.mean, 'stddev': self.stddev, 'seed': self.seed}


class VarianceScaling(Initializer):
    """Scale-aware init: variance ``scale / n``, ``n`` = fan_in, fan_out or their mean.

    ``distribution='normal'``: truncated normal with std ``sqrt(scale/n)``;
    ``'uniform'``: uniform on ``±sqrt(3*scale/n)``.
    """

    def __init__(self, scale=1.0, mode='fan_in', distribution='normal', seed=None):
        if scale <= 0.:
            raise ValueError('`scale` must be a positive float. Got: %r' % (scale,))
        mode = mode.lower()
        if mode not in ('fan_in', 'fan_out', 'fan_avg'):
            raise ValueError('Invalid `mode` argument: expected "fan_in", "fan_out" '
                             'or "fan_avg", got %r' % (mode,))
        distribution = distribution.lower()
        if distribution not in ('normal', 'uniform'):
            raise ValueError('Invalid `distribution` argument: expected "normal" or '
                             '"uniform", got %r' % (distribution,))
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def generate(self, shape, dim_ordering='th'):
        fan_in, fan_out = _compute_fans(shape, dim_ordering)
        n = {'fan_in': fan_in, 'fan_out': fan_out, 'fan_avg': (fan_in + fan_out) / 2.}[self.mode]
        scale = self.scale / max(1., n)
        if self.distribution == 'normal':
            return _truncated_normal(self._rng(), 0., np.sqrt(scale), shape)
        limit = np.sqrt(3. * scale)
        return self._rng().uniform(-limit, limit, size=shape)

    def get_config(self):
        return {'scale': self.scale, 'mode': self.mode,
                'distribution': self.distribution, 'seed': self.seed}


class Orthogonal(Initializer):
    """``gain`` times a random orthogonal matrix (Keras 2 default gain 1.0)."""

    def __init__(self, gain=1., seed=None):
        self.gain, self.seed = gain, seed

    def generate(self, shape, dim_ordering='th'):
        return self.gain * _k1._orthogonal_array(shape, self._rng())

    def get_config(self):
        return {'gain': self.gain, 'seed': self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (square 2D shapes only)."""

    def __init__(self, gain=1.):
        self.gain = gain

    def generate(self, shape, dim_ordering='th'):
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError('Identity matrix initializer can only be used '
                             'for 2D square matrices, got shape %s.' % (shape,))
        return self.gain * np.identity(shape[0])

    def get_config(self):
        return {'gain': self.gain}


def lecun_uniform(seed=None):
    """``VarianceScaling(1., 'fan_in', 'uniform')``: U(±sqrt(3/fan_in))."""
    return VarianceScaling(scale=1., mode='fan_in', distribution='uniform', seed=seed)


def glorot_normal(seed=None):
    """``VarianceScaling(1., 'fan_avg', 'normal')``: truncated, std sqrt(2/(in+out))."""
    return VarianceScaling(scale=1., mode='fan_avg', distribution='normal', seed=seed)


def glorot_uniform(seed=None):
    """``VarianceScaling(1., 'fan_avg', 'uniform')``: U(±sqrt(6/(in+out)))."""
    return VarianceScaling(scale=1., mode='fan_avg', distribution='uniform', seed=seed)


def he_normal(seed=None):
    """``VarianceScaling(2., 'fan_in', 'normal')``."""
    return VarianceScaling(scale=2., mode='fan_in', distribution='normal', seed=seed)


def he_uniform(seed=None):
    """``VarianceScaling(2., 'fan_in', 'uniform')``: U(±sqrt(6/fan_in))."""
    return VarianceScaling(scale=2., mode='fan_in', distribution='uniform', seed=seed)


# Keras 2.0.0 aliases (the Keras 1 names 'zero', 'one', 'uniform', 'normal' included).
zero = zeros = Zeros
one = ones = Ones
constant = Constant
uniform = random_uniform = RandomUniform
normal = random_normal = RandomNormal
truncated_normal = TruncatedNormal
identity = Identity
orthogonal = Orthogonal

_INITIALIZERS = {
    'Initializer': Initializer, 'Zeros': Zeros, 'Ones': Ones, 'Constant': Constant,
    'RandomNormal': RandomNormal, 'RandomUniform': RandomUniform,
    'TruncatedNormal': TruncatedNormal, 'VarianceScaling': VarianceScaling,
    'Orthogonal': Orthogonal, 'Identity': Identity,
    'lecun_uniform': lecun_uniform, 'glorot_normal': glorot_normal,
    'glorot_uniform': glorot_uniform, 'he_normal': he_normal, 'he_uniform': he_uniform,
    'zero': zero, 'zeros': zeros, 'one': one, 'ones': ones, 'constant': constant,
    'uniform': uniform, 'random_uniform': random_uniform, 'normal': normal,
    'random_normal': random_normal, 'truncated_normal': truncated_normal,
    'identity': identity, 'orthogonal': orthogonal,
}


def serialize(initializer):
    """``{'class_name': ..., 'config': ...}`` for an :class:`Initializer`."""
    return {'class_name': initializer.__class__.__name__, 'config': initializer.get_config()}


def get(identifier, **kwargs):
    """Resolve an initialiser; always returns ``init(shape, name=None, dim_ordering='th')``.

    Accepts a Keras 2 name (``'glorot_uniform'``, ``'Zeros'``: instantiated with
    defaults), a Keras 2 config ``{'class_name': ..., 'config': {...}}``, a
    Keras 1 config ``{'name': ..., **kw}``, an instance, or any callable (a
    Keras 1 initialisation function is returned unchanged).

    >>> isinstance(get('he_normal'), VarianceScaling)
    True
    """
    if isinstance(identifier, dict) and 'class_name' in identifier:
        name, config = identifier['class_name'], identifier.get('config') or {}
        cls = get_custom_objects().get(name) or _INITIALIZERS.get(name)
        if cls is None:
            raise ValueError('Invalid initializer: %s. Valid names are: %s.'
                             % (name, ', '.join(sorted(_INITIALIZERS))))
        return cls.from_config(config) if hasattr(cls, 'from_config') else cls(**config)
    if isinstance(identifier, str):
        obj = get_from_module(identifier, _INITIALIZERS, 'initializer')
        if isinstance(obj, type) or obj in (lecun_uniform, glorot_normal, glorot_uniform,
                                            he_normal, he_uniform):
            return obj()
        return obj
    if isinstance(identifier, dict):
        return get_from_module(identifier, _INITIALIZERS, 'initializer')
    if callable(identifier):
        return identifier
    raise ValueError('Could not interpret initializer identifier: %r' % (identifier,))
