"""Activations with parameters: LeakyReLU, PReLU, ELU, ParametricSoftplus, ThresholdedReLU, SReLU.

Learned parameters have the input's shape without the batch axis; axes in
``shared_axes`` (1-based, e.g. ``[2, 3]`` for the spatial axes of 'th'
images) share one value.

>>> from keraslike.layers import PReLU, LeakyReLU
>>> layers = [LeakyReLU(alpha=0.1), PReLU(shared_axes=[2, 3])]
"""
import numpy as np

from keraslike import backend as K
from keraslike import initializations
from keraslike.engine.topology import Layer
from .dense import name_of


class LeakyReLU(Layer):
    """``x`` if ``x > 0`` else ``alpha * x``."""

    def __init__(self, alpha=0.3, **kwargs):
        self.supports_masking = True
        self.alpha = alpha
        super(LeakyReLU, self).__init__(**kwargs)

    def call(self, x, mask=None):
        return K.relu(x, alpha=self.alpha)

    def get_config(self):
        config = super(LeakyReLU, self).get_config()
        config['alpha'] = self.alpha
        return config


class _Parametric(Layer):
    """Creates per-position parameters, shared along ``shared_axes``."""

    def _shared(self, shared_axes):
        if shared_axes is None:
            return []
        return [shared_axes] if isinstance(shared_axes, int) else list(shared_axes)

    def _param_shape(self, input_shape):
        shape = list(input_shape[1:])
        self.param_broadcast = [False] * len(shape)
        for axis in self.shared_axes:
            if not 1 <= axis <= len(shape):
                raise ValueError('Layer %s: shared axis %d is out of range for input shape %s '
                                 '(axes are 1-based, batch excluded).'
                                 % (self.name, axis, input_shape))
            shape[axis - 1] = 1
            self.param_broadcast[axis - 1] = True
        if None in shape:
            raise ValueError('Layer %s: the input shape %s must be known except for the batch '
                             'axis (or share the unknown axes via shared_axes).'
                             % (self.name, input_shape))
        return tuple(shape)

    def _broadcast(self, param):
        if any(self.param_broadcast):
            return K.pattern_broadcast(param, self.param_broadcast)
        return param

    def _set_params(self, params):
        self.trainable_weights = params
        if self.initial_weights is not None:
            self.set_weights(self.initial_weights)
            del self.initial_weights


class PReLU(_Parametric):
    """``relu(x) + alphas * (x - |x|) / 2``, learned ``alphas`` (Keras 2: ``alpha_initializer``)."""

    def __init__(self, init='zero', weights=None, shared_axes=None, **kwargs):
        init = kwargs.pop('alpha_initializer', init)
        self.supports_masking = True
        self.init = initializations.get(init)
        self.initial_weights = weights
        self.shared_axes = self._shared(shared_axes)
        super(PReLU, self).__init__(**kwargs)

    def build(self, input_shape):
        shape = self._param_shape(input_shape)
        self.alphas = self.init(shape, name='{}_alphas'.format(self.name))
        self._set_params([self.alphas])
        self.built = True

    def call(self, x, mask=None):
        return K.relu(x) + self._broadcast(self.alphas) * (x - K.abs(x)) * 0.5

    def get_config(self):
        config = super(PReLU, self).get_config()
        config['init'] = name_of(self.init)
        return config


class ELU(Layer):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha=1.0, **kwargs):
        self.supports_masking = True
        self.alpha = alpha
        super(ELU, self).__init__(**kwargs)

    def call(self, x, mask=None):
        return K.elu(x, self.alpha)

    def get_config(self):
        config = super(ELU, self).get_config()
        config['alpha'] = float(self.alpha)
        return config


class ParametricSoftplus(_Parametric):
    """``alphas * softplus(betas * x)`` with learned ``alphas`` and ``betas``."""

    def __init__(self, alpha_init=0.2, beta_init=5.0, weights=None, shared_axes=None, **kwargs):
        self.supports_masking = True
        self.alpha_init = alpha_init
        self.beta_init = beta_init
        self.initial_weights = weights
        self.shared_axes = self._shared(shared_axes)
        super(ParametricSoftplus, self).__init__(**kwargs)

    def build(self, input_shape):
        shape = self._param_shape(input_shape)
        self.alphas = K.variable(self.alpha_init * np.ones(shape),
                                 name='{}_alphas'.format(self.name))
        self.betas = K.variable(self.beta_init * np.ones(shape), name='{}_betas'.format(self.name))
        self._set_params([self.alphas, self.betas])
        self.built = True

    def call(self, x, mask=None):
        return K.softplus(self._broadcast(self.betas) * x) * self._broadcast(self.alphas)

    def get_config(self):
        config = super(ParametricSoftplus, self).get_config()
        config.update({'alpha_init': float(self.alpha_init), 'beta_init': float(self.beta_init)})
        return config


class ThresholdedReLU(Layer):
    """``x`` if ``x > theta`` else 0."""

    def __init__(self, theta=1.0, **kwargs):
        self.supports_masking = True
        self.theta = theta
        super(ThresholdedReLU, self).__init__(**kwargs)

    def call(self, x, mask=None):
        return x * K.cast(K.greater(x, self.theta), K.floatx())

    def get_config(self):
        config = super(ThresholdedReLU, self).get_config()
        config['theta'] = float(self.theta)
        return config


class SReLU(_Parametric):
    """S-shaped ReLU: linear with slope ``a_left`` below ``t_left``, identity in between,
    slope ``a_right`` above ``t_right`` (kept right of ``t_left`` as ``t_left + |t_right|``).
    """

    def __init__(self, t_left_init='zero', a_left_init='glorot_uniform',
                 t_right_init='glorot_uniform', a_right_init='one', shared_axes=None, **kwargs):
        self.supports_masking = True
        self.t_left_init = t_left_init
        self.a_left_init = a_left_init
        self.t_right_init = t_right_init
        self.a_right_init = a_right_init
        self.initial_weights = kwargs.pop('weights', None)
        self.shared_axes = self._shared(shared_axes)
        super(SReLU, self).__init__(**kwargs)

    def build(self, input_shape):
        shape = self._param_shape(input_shape)
        params = []
        for part, init in (('t_left', self.t_left_init), ('a_left', self.a_left_init),
                           ('t_right', self.t_right_init), ('a_right', self.a_right_init)):
            param = initializations.get(init)(shape, name='{}_{}'.format(self.name, part))
            setattr(self, part, param)
            params.append(param)
        self._set_params(params)
        self.built = True

    def call(self, x, mask=None):
        t_left, a_left = self._broadcast(self.t_left), self._broadcast(self.a_left)
        a_right = self._broadcast(self.a_right)
        t_right_actual = t_left + K.abs(self._broadcast(self.t_right))
        shifted = x - t_left
        # K.relu(shifted, a_left, t_right_actual - t_left) with tensor alpha and max_value
        leaky = K.switch(K.greater(shifted, 0.), shifted, a_left * shifted)
        y_left_and_center = t_left + K.minimum(leaky, t_right_actual - t_left)
        y_right = K.relu(x - t_right_actual) * a_right
        return y_left_and_center + y_right

    def get_config(self):
        config = super(SReLU, self).get_config()
        for key in ('t_left_init', 'a_left_init', 't_right_init', 'a_right_init'):
            init = getattr(self, key)
            config[key] = name_of(init) if callable(init) else init
        return config
