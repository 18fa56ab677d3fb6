"""Fully connected layers: Dense, MaxoutDense, Highway, TimeDistributedDense.

>>> from keraslike.layers import Dense
>>> layer = Dense(32, input_dim=784, activation='relu')
"""
import warnings

from keraslike import activations, constraints, initializations, regularizers
from keraslike import backend as K
from keraslike.engine.topology import InputSpec, Layer
from keraslike.utils.generic_utils import check_int_arg
from .keras2 import DENSE, keras1_kwargs


def name_of(obj):
    """The name a config stores for a function or object (Keras 1 uses ``__name__``)."""
    return getattr(obj, '__name__', None) or obj.__class__.__name__


def config_of(obj):
    return obj.get_config() if obj is not None else None


def _owner(layer):
    """How argument errors name a layer before it has a name: ``Layer Dense``."""
    return 'Layer ' + layer.__class__.__name__


def _input_dim(layer, input_dim):
    """``input_dim`` checked (None, or a positive integer: 0 used to be silently ignored)."""
    if input_dim is None:
        return None
    return check_int_arg(input_dim, 'input_dim', _owner(layer))


class _WeightedLayer(Layer):
    """Shared handling of init, activation, regularizers, constraints, bias and weights."""

    def _setup(self, init, activation, weights, W_regularizer, b_regularizer,
               activity_regularizer, W_constraint, b_constraint, bias):
        self.init = initializations.get(init)
        self.activation = activations.get(activation)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.b_constraint = constraints.get(b_constraint)
        self.bias = bias
        self.initial_weights = weights

    def _set_initial_weights(self):
        if self.initial_weights is not None:
            self.set_weights(self.initial_weights)
            del self.initial_weights

    def _weighted_config(self):
        return {'init': name_of(self.init), 'activation': name_of(self.activation),
                'W_regularizer': config_of(self.W_regularizer),
                'b_regularizer': config_of(self.b_regularizer),
                'activity_regularizer': config_of(self.activity_regularizer),
                'W_constraint': config_of(self.W_constraint),
                'b_constraint': config_of(self.b_constraint),
                'bias': self.bias}


class Dense(_WeightedLayer):
    """``output = activation(dot(input, W) + b)``; W has shape (input_dim, output_dim).

    Keras 2 spellings (``units``, ``kernel_initializer``, ``use_bias``, ...) work too.
    """

    def __init__(self, output_dim=None, init='glorot_uniform', activation=None, weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None, **kwargs):
        kwargs = keras1_kwargs(kwargs, DENSE)
        output_dim = kwargs.pop('output_dim', output_dim)
        init = kwargs.pop('init', init)
        bias = kwargs.pop('bias', bias)
        W_regularizer = kwargs.pop('W_regularizer', W_regularizer)
        b_regularizer = kwargs.pop('b_regularizer', b_regularizer)
        W_constraint = kwargs.pop('W_constraint', W_constraint)
        b_constraint = kwargs.pop('b_constraint', b_constraint)
        if output_dim is None:
            raise TypeError('Dense needs `output_dim` (Keras 2: `units`).')
        self.output_dim = check_int_arg(output_dim, 'output_dim', _owner(self))
        self.input_dim = _input_dim(self, input_dim)
        self._setup(init, activation, weights, W_regularizer, b_regularizer,
                    activity_regularizer, W_constraint, b_constraint, bias)
        self.input_spec = [InputSpec(ndim='2+')]
        if self.input_dim:
            kwargs['input_shape'] = (self.input_dim,)
        super(Dense, self).__init__(**kwargs)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError('The last dimension of the input to Dense layer "%s" must be known, '
                             'got input shape %s.' % (self.name, input_shape))
        self.input_dim = input_dim
        self.input_spec = [InputSpec(dtype=K.floatx(), ndim='2+')]
        self.W = self.add_weight((input_dim, self.output_dim), initializer=self.init,
                                 name='{}_W'.format(self.name), regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        self.b = None
        if self.bias:
            self.b = self.add_weight((self.output_dim,), initializer='zero',
                                     name='{}_b'.format(self.name),
                                     regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)
        self._set_initial_weights()
        self.built = True

    def call(self, x, mask=None):
        output = K.dot(x, self.W)
        if self.bias:
            output = output + self.b
        return self.activation(output)

    def get_output_shape_for(self, input_shape):
        return tuple(input_shape[:-1]) + (self.output_dim,)

    def get_config(self):
        config = {'output_dim': self.output_dim}
        config.update(self._weighted_config())
        config['input_dim'] = self.input_dim
        base = super(Dense, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class TimeDistributedDense(Dense):
    """Deprecated Keras 1 layer: the same Dense applied to every timestep of (s, t, in).

    Supports masking (the mask passes through).
    """

    def __init__(self, output_dim=None, init='glorot_uniform', activation=None, weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None,
                 input_length=None, **kwargs):
        warnings.warn('TimeDistributedDense is deprecated, please use '
                      'TimeDistributed(Dense(...)) instead.')
        input_dim = _input_dim(self, input_dim)
        self.input_length = input_length
        if input_dim:
            kwargs['input_shape'] = (input_length, input_dim)
        super(TimeDistributedDense, self).__init__(
            output_dim, init=init, activation=activation, weights=weights,
            W_regularizer=W_regularizer, b_regularizer=b_regularizer,
            activity_regularizer=activity_regularizer, W_constraint=W_constraint,
            b_constraint=b_constraint, bias=bias, **kwargs)
        self.input_dim = input_dim
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=3)]

    def build(self, input_shape):
        super(TimeDistributedDense, self).build(input_shape)
        self.input_spec = [InputSpec(dtype=K.floatx(), shape=(None,) + tuple(input_shape[1:]))]

    def get_config(self):
        config = super(TimeDistributedDense, self).get_config()
        config['input_length'] = self.input_length
        return config


class MaxoutDense(_WeightedLayer):
    """Max over ``nb_feature`` linear pieces: ``max_k(dot(x, W[k]) + b[k])``."""

    def __init__(self, output_dim, nb_feature=4, init='glorot_uniform', weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None, **kwargs):
        self.output_dim = check_int_arg(output_dim, 'output_dim', _owner(self))
        self.nb_feature = check_int_arg(nb_feature, 'nb_feature', _owner(self))
        self.input_dim = _input_dim(self, input_dim)
        self._setup(init, None, weights, W_regularizer, b_regularizer, activity_regularizer,
                    W_constraint, b_constraint, bias)
        self.input_spec = [InputSpec(ndim=2)]
        if self.input_dim:
            kwargs['input_shape'] = (self.input_dim,)
        super(MaxoutDense, self).__init__(**kwargs)

    def build(self, input_shape):
        input_dim = input_shape[1]
        self.input_spec = [InputSpec(dtype=K.floatx(), shape=(None, input_dim))]
        self.W = self.add_weight((self.nb_feature, input_dim, self.output_dim),
                                 initializer=self.init, name='{}_W'.format(self.name),
                                 regularizer=self.W_regularizer, constraint=self.W_constraint)
        self.b = None
        if self.bias:
            self.b = self.add_weight((self.nb_feature, self.output_dim), initializer='zero',
                                     name='{}_b'.format(self.name),
                                     regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)
        self._set_initial_weights()
        self.built = True

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], self.output_dim)

    def call(self, x, mask=None):
        # (s, in) . (k, in, out) -> (s, k, out)
        output = K.dot(x, self.W)
        if self.bias:
            output = output + self.b
        return K.max(output, axis=1)

    def get_config(self):
        config = {'output_dim': self.output_dim, 'nb_feature': self.nb_feature}
        config.update(self._weighted_config())
        del config['activation']
        config['input_dim'] = self.input_dim
        base = super(MaxoutDense, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class Highway(_WeightedLayer):
    """``y = activation(x.W + b) * T + x * (1 - T)`` with ``T = sigmoid(x.W_carry + b_carry)``."""

    def __init__(self, init='glorot_uniform', activation=None, weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None, **kwargs):
        if 'transform_bias' in kwargs:
            kwargs.pop('transform_bias')
            warnings.warn('`transform_bias` argument is deprecated and will be removed.')
        self.input_dim = _input_dim(self, input_dim)
        self._setup(init, activation, weights, W_regularizer, b_regularizer,
                    activity_regularizer, W_constraint, b_constraint, bias)
        self.input_spec = [InputSpec(ndim=2)]
        if self.input_dim:
            kwargs['input_shape'] = (self.input_dim,)
        super(Highway, self).__init__(**kwargs)

    def build(self, input_shape):
        input_dim = input_shape[1]
        self.input_spec = [InputSpec(dtype=K.floatx(), shape=(None, input_dim))]
        self.W = self.add_weight((input_dim, input_dim), initializer=self.init,
                                 name='{}_W'.format(self.name), regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        self.W_carry = self.add_weight((input_dim, input_dim), initializer=self.init,
                                       name='{}_W_carry'.format(self.name))
        if self.bias:
            self.b = self.add_weight((input_dim,), initializer='zero',
                                     name='{}_b'.format(self.name),
                                     regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)
            self.b_carry = self.add_weight((input_dim,), initializer='one',
                                           name='{}_b_carry'.format(self.name))
        else:
            self.b_carry = None
        self._set_initial_weights()
        self.built = True

    def call(self, x, mask=None):
        y = K.dot(x, self.W_carry)
        if self.bias:
            y = y + self.b_carry
        transform_weight = activations.sigmoid(y)
        y = K.dot(x, self.W)
        if self.bias:
            y = y + self.b
        return self.activation(y) * transform_weight + (1 - transform_weight) * x

    def get_config(self):
        config = self._weighted_config()
        config['input_dim'] = self.input_dim
        base = super(Highway, self).get_config()
        return dict(list(base.items()) + list(config.items()))
