"""Core layers: Masking, Dropout and SpatialDropout, Activation, Reshape, Permute,
Flatten, RepeatVector, Lambda, ActivityRegularization, and (from ``dense``)
Dense, MaxoutDense, Highway, TimeDistributedDense.

>>> from keraslike.layers.core import Dense, Dropout, Activation
>>> layers = [Dense(64, input_dim=20), Activation('tanh'), Dropout(0.5)]
"""
import numpy as np

from keraslike import activations, regularizers
from keraslike import backend as K
from keraslike.engine.topology import InputSpec, Layer, Merge  # noqa: F401  (Keras 1 path)
from keraslike.utils.conv_utils import normalize_dim_ordering
from keraslike.utils.generic_utils import (check_fraction_arg, check_int_arg,  # noqa: F401
                                           func_dump, func_load, get_from_module)
from .dense import Dense, Highway, MaxoutDense, TimeDistributedDense, name_of  # noqa: F401
from .keras2 import DROPOUT, keras1_kwargs
from .lambda_layer import Lambda  # noqa: F401


class Masking(Layer):
    """Mask timesteps whose features all equal ``mask_value`` (and zero them)."""

    def __init__(self, mask_value=0., **kwargs):
        self.supports_masking = True
        self.mask_value = mask_value
        super(Masking, self).__init__(**kwargs)

    def compute_mask(self, input, input_mask=None):
        return K.any(K.not_equal(input, self.mask_value), axis=-1)

    def call(self, x, mask=None):
        keep = K.any(K.not_equal(x, self.mask_value), axis=-1, keepdims=True)
        return x * K.cast(keep, K.dtype(x))

    def get_config(self):
        config = super(Masking, self).get_config()
        config['mask_value'] = self.mask_value
        return config


class Dropout(Layer):
    """Set a fraction ``p`` of the inputs to 0 at training time (scaled by 1/(1-p)).

    Keras 2 spelling: ``Dropout(rate=...)``.
    """

    def __init__(self, p=None, noise_shape=None, seed=None, **kwargs):
        kwargs = keras1_kwargs(kwargs, DROPOUT)
        p = kwargs.pop('p', p)
        if p is None:
            raise TypeError('%s needs the dropout fraction `p` (Keras 2: `rate`).'
                            % self.__class__.__name__)
        self.p = check_fraction_arg(p, 'p', 'Layer ' + self.__class__.__name__)
        self.noise_shape = noise_shape
        self.seed = seed
        if 0. < self.p < 1.:
            self.uses_learning_phase = True
        self.supports_masking = True
        super(Dropout, self).__init__(**kwargs)

    def _get_noise_shape(self, x):
        return self.noise_shape

    def call(self, x, mask=None):
        if 0. < self.p < 1.:
            noise_shape = self._get_noise_shape(x)
            return K.in_train_phase(lambda: K.dropout(x, self.p, noise_shape, seed=self.seed),
                                    x)
        return x

    def get_config(self):
        config = super(Dropout, self).get_config()
        config['p'] = self.p
        return config


class SpatialDropout1D(Dropout):
    """Dropout of whole feature maps of (samples, timesteps, channels) input."""

    def __init__(self, p=None, **kwargs):
        super(SpatialDropout1D, self).__init__(p, **kwargs)

    def _get_noise_shape(self, x):
        return (K.shape(x)[0], 1, K.shape(x)[2])


class SpatialDropout2D(Dropout):
    """Dropout of whole 2D feature maps (channel axis per ``dim_ordering``)."""

    def __init__(self, p=None, dim_ordering='default', **kwargs):
        kwargs = keras1_kwargs(kwargs, {'data_format': 'dim_ordering'})
        dim_ordering = kwargs.pop('dim_ordering', dim_ordering)
        self.dim_ordering = normalize_dim_ordering(dim_ordering)
        super(SpatialDropout2D, self).__init__(p, **kwargs)

    def _get_noise_shape(self, x):
        s = K.shape(x)
        if self.dim_ordering == 'th':
            return (s[0], s[1], 1, 1)
        return (s[0], 1, 1, s[3])


class SpatialDropout3D(Dropout):
    """Dropout of whole 3D feature maps (channel axis per ``dim_ordering``)."""

    def __init__(self, p=None, dim_ordering='default', **kwargs):
        kwargs = keras1_kwargs(kwargs, {'data_format': 'dim_ordering'})
        dim_ordering = kwargs.pop('dim_ordering', dim_ordering)
        self.dim_ordering = normalize_dim_ordering(dim_ordering)
        super(SpatialDropout3D, self).__init__(p, **kwargs)

    def _get_noise_shape(self, x):
        s = K.shape(x)
        if self.dim_ordering == 'th':
            return (s[0], s[1], 1, 1, 1)
        return (s[0], 1, 1, 1, s[4])


class Activation(Layer):
    """Apply an activation function: ``Activation('relu')``."""

    def __init__(self, activation, **kwargs):
        self.supports_masking = True
        self.activation = activations.get(activation)
        super(Activation, self).__init__(**kwargs)

    def call(self, x, mask=None):
        return self.activation(x)

    def get_config(self):
        config = super(Activation, self).get_config()
        config['activation'] = name_of(self.activation)
        return config


class Reshape(Layer):
    """Reshape to ``(batch,) + target_shape``; one entry may be -1 (inferred)."""

    def __init__(self, target_shape, **kwargs):
        super(Reshape, self).__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def _fix_unknown_dimension(self, input_shape, output_shape):
        output_shape = list(output_shape)
        msg = ('Layer "%s": total size of new array must be unchanged (input shape %s, target '
               'shape %s).' % (self.name, input_shape, self.target_shape))
        known, unknown = 1, None
        for index, dim in enumerate(output_shape):
            if dim < 0:
                if unknown is not None:
                    raise ValueError('Layer "%s": can only specify one unknown dimension in '
                                     'target_shape %s.' % (self.name, self.target_shape))
                unknown = index
            else:
                known *= dim
        original = int(np.prod(input_shape, dtype=np.int64))
        if unknown is not None:
            if known == 0 or original % known != 0:
                raise ValueError(msg)
            output_shape[unknown] = original // known
        elif original != known:
            raise ValueError(msg)
        return tuple(output_shape)

    def get_output_shape_for(self, input_shape):
        if None in input_shape[1:]:
            return (input_shape[0],) + tuple(None if s == -1 else s for s in self.target_shape)
        return (input_shape[0],) + self._fix_unknown_dimension(input_shape[1:],
                                                               self.target_shape)

    def call(self, x, mask=None):
        shape = self.target_shape
        input_shape = getattr(x, '_keras_shape', None)
        if input_shape is not None and None not in input_shape[1:]:
            shape = self.get_output_shape_for(input_shape)[1:]
        return K.reshape(x, (K.shape(x)[0],) + tuple(shape))

    def get_config(self):
        config = super(Reshape, self).get_config()
        config['target_shape'] = self.target_shape
        return config


class Permute(Layer):
    """Permute the non-batch axes; ``dims`` is 1-based: ``Permute((2, 1))``."""

    def __init__(self, dims, **kwargs):
        self.dims = tuple(dims)
        super(Permute, self).__init__(**kwargs)
        self.input_spec = [InputSpec(ndim=len(self.dims) + 1)]

    def get_output_shape_for(self, input_shape):
        input_shape = list(input_shape)
        return tuple([input_shape[0]] + [input_shape[d] for d in self.dims])

    def call(self, x, mask=None):
        return K.permute_dimensions(x, (0,) + self.dims)

    def get_config(self):
        config = super(Permute, self).get_config()
        config['dims'] = self.dims
        return config


class Flatten(Layer):
    """(samples, d1, d2, ...) -> (samples, d1 * d2 * ...)."""

    def __init__(self, **kwargs):
        self.input_spec = [InputSpec(ndim='3+')]
        super(Flatten, self).__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        if not all(input_shape[1:]):
            raise ValueError('The shape of the input to "Flatten" is not fully defined (got %s). '
                             'Make sure to pass a complete "input_shape" or "batch_input_shape" '
                             'argument to the first layer in your model.' % (input_shape[1:],))
        return (input_shape[0], int(np.prod(input_shape[1:])))

    def call(self, x, mask=None):
        return K.batch_flatten(x)


class RepeatVector(Layer):
    """(samples, features) -> (samples, n, features)."""

    def __init__(self, n, **kwargs):
        self.n = check_int_arg(n, 'n', 'Layer RepeatVector')
        self.input_spec = [InputSpec(ndim=2)]
        super(RepeatVector, self).__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, x, mask=None):
        return K.repeat(x, self.n)

    def get_config(self):
        config = super(RepeatVector, self).get_config()
        config['n'] = self.n
        return config


class ActivityRegularization(Layer):
    """Identity that adds ``l1 * sum|x| + l2 * sum x^2`` of its output to the loss."""

    def __init__(self, l1=0., l2=0., **kwargs):
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        super(ActivityRegularization, self).__init__(**kwargs)
        self.activity_regularizer = regularizers.L1L2Regularizer(l1=l1, l2=l2)

    def get_config(self):
        config = super(ActivityRegularization, self).get_config()
        config.update({'l1': self.l1, 'l2': self.l2})
        return config
