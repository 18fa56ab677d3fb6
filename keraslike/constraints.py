"""Weight constraints (Keras 1.2.2 ``keras.constraints``).

A constraint maps a parameter's new value (after an optimizer step) to the
value actually stored: ``new_p = constraint(new_p)``.

>>> from keraslike import constraints
>>> c = constraints.get('maxnorm', {'m': 3})
>>> c.get_config()
{'name': 'MaxNorm', 'm': 3, 'axis': 0}
"""
from keraslike import backend as K
from keraslike.utils.generic_utils import get_from_module


def _norms(p, axis):
    return K.sqrt(K.sum(K.square(p), axis=axis, keepdims=True))


class Constraint(object):
    """Base class: the identity."""

    def __call__(self, p):
        return p

    def get_config(self):
        return {'name': self.__class__.__name__}


class MaxNorm(Constraint):
    """Rescale so that the L2 norm over ``axis`` is at most ``m``.

    For a Dense ``W`` of shape ``(input_dim, output_dim)``, ``axis=0`` limits
    each unit's incoming weight vector; for 'th' conv kernels use
    ``axis=[1, 2, 3]``. ``max_value`` is the Keras 2 name of ``m``.

    >>> c = MaxNorm(m=2, axis=0)
    """

    def __init__(self, m=2, axis=0, max_value=None):
        self.m = m if max_value is None else max_value
        self.axis = axis

    def __call__(self, p):
        norms = _norms(p, self.axis)
        desired = K.clip(norms, 0, self.m)
        return p * (desired / (K.epsilon() + norms))

    def get_config(self):
        return {'name': self.__class__.__name__, 'm': self.m, 'axis': self.axis}


class NonNeg(Constraint):
    """Zero the negative entries: ``p * (p >= 0)``."""

    def __call__(self, p):
        return p * K.cast(K.greater_equal(p, 0.), K.dtype(p))


class UnitNorm(Constraint):
    """Divide by the L2 norm over ``axis``: ``p / (eps + norm)``."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, p):
        return p / (K.epsilon() + _norms(p, self.axis))

    def get_config(self):
        return {'name': self.__class__.__name__, 'axis': self.axis}


class MinMaxNorm(Constraint):
    """Move the norm over ``axis`` towards ``[low, high]`` by a fraction ``rate``.

    ``desired = rate * clip(norm, low, high) + (1 - rate) * norm``. Keras 2
    names ``min_value``/``max_value`` are accepted for ``low``/``high``.

    >>> c = MinMaxNorm(low=0.5, high=1.0, rate=0.5)
    """

    def __init__(self, low=0.0, high=1.0, rate=1.0, axis=0, min_value=None, max_value=None):
        self.low = low if min_value is None else min_value
        self.high = high if max_value is None else max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, p):
        norms = _norms(p, self.axis)
        desired = self.rate * K.clip(norms, self.low, self.high) + (1 - self.rate) * norms
        return p * (desired / (K.epsilon() + norms))

    def get_config(self):
        return {'name': self.__class__.__name__, 'low': self.low, 'high': self.high,
                'rate': self.rate, 'axis': self.axis}


# Aliases: Keras 1 (maxnorm, nonneg, unitnorm) and Keras 2 (max_norm, ...).
maxnorm = max_norm = MaxNorm
nonneg = non_neg = NonNeg
unitnorm = unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_CONSTRAINTS = {
    'Constraint': Constraint, 'MaxNorm': MaxNorm, 'NonNeg': NonNeg, 'UnitNorm': UnitNorm,
    'MinMaxNorm': MinMaxNorm, 'maxnorm': maxnorm, 'nonneg': nonneg, 'unitnorm': unitnorm,
    'max_norm': max_norm, 'non_neg': non_neg, 'unit_norm': unit_norm,
    'min_max_norm': min_max_norm,
}


def get(identifier, kwargs=None):
    """Instantiate a constraint from a name (with ``kwargs``), a config dict, or
    return an instance/callable unchanged.

    >>> get({'name': 'UnitNorm', 'axis': 1}).axis
    1
    """
    if isinstance(identifier, dict) and 'class_name' in identifier:
        identifier = dict(identifier.get('config') or {}, name=identifier['class_name'])
    return get_from_module(identifier, _CONSTRAINTS, 'constraint',
                           instantiate=True, kwargs=kwargs)
