"""BatchNormalization (Keras 1.2.2, modes 0, 1 and 2).

Mode 0 normalises with batch statistics while training and updates the moving
``running_mean`` / ``running_std`` (which, as in Keras 1, holds a variance:
on Theano 1.0 the batch variance plus ``epsilon``); prediction and evaluation
use the moving statistics. Mode 1 normalises each sample over its last axis;
mode 2 always uses batch statistics.

>>> from keraslike.layers import Convolution2D, BatchNormalization
>>> bn = BatchNormalization(axis=1)            # channels of 'th' images
"""
from keraslike import backend as K
from keraslike import initializations, regularizers
from keraslike.engine.topology import InputSpec, Layer
from .dense import config_of
from .keras2 import keras1_kwargs

BATCHNORM = {'beta_initializer': 'beta_init', 'gamma_initializer': 'gamma_init',
             'moving_mean_initializer': None, 'moving_variance_initializer': None}


class BatchNormalization(Layer):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` over all axes except ``axis``.

    Weights: ``gamma, beta`` (trainable), ``running_mean, running_std`` (moving, not trainable).
    """

    def __init__(self, epsilon=1e-3, mode=0, axis=-1, momentum=0.99, weights=None,
                 beta_init='zero', gamma_init='one', gamma_regularizer=None,
                 beta_regularizer=None, **kwargs):
        for key in ('center', 'scale'):
            if kwargs.pop(key, True) is not True:
                raise ValueError('BatchNormalization: %s=False is not supported (Keras 1 always '
                                 'learns gamma and beta).' % key)
        kwargs = {k: v for k, v in keras1_kwargs(kwargs, BATCHNORM).items() if k is not None}
        beta_init = kwargs.pop('beta_init', beta_init)
        gamma_init = kwargs.pop('gamma_init', gamma_init)
        if mode not in (0, 1, 2):
            raise ValueError('Invalid BatchNormalization mode %r; expected 0, 1 or 2.' % (mode,))
        self.supports_masking = True
        self.beta_init = initializations.get(beta_init)
        self.gamma_init = initializations.get(gamma_init)
        self.epsilon = epsilon
        self.mode = mode
        self.axis = axis
        self.momentum = momentum
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.initial_weights = weights
        if self.mode == 0:
            self.uses_learning_phase = True
        super(BatchNormalization, self).__init__(**kwargs)

    def build(self, input_shape):
        axis = self.axis % len(input_shape)
        if input_shape[axis] is None:
            raise ValueError('Layer %s: the normalised axis %d of input shape %s must be known.'
                             % (self.name, self.axis, input_shape))
        if self.mode == 1 and axis != len(input_shape) - 1:
            raise ValueError('Layer %s: mode 1 normalises over the last axis; its gamma and beta '
                             'need axis=-1, got axis=%d.' % (self.name, self.axis))
        self.input_spec = [InputSpec(shape=input_shape)]
        shape = (input_shape[axis],)
        self.gamma = self.add_weight(shape, initializer=self.gamma_init,
                                     regularizer=self.gamma_regularizer,
                                     name='{}_gamma'.format(self.name))
        self.beta = self.add_weight(shape, initializer=self.beta_init,
                                    regularizer=self.beta_regularizer,
                                    name='{}_beta'.format(self.name))
        self.running_mean = self.add_weight(shape, initializer='zero', trainable=False,
                                            name='{}_running_mean'.format(self.name))
        self.running_std = self.add_weight(shape, initializer='one', trainable=False,
                                           name='{}_running_std'.format(self.name))
        if self.initial_weights is not None:
            self.set_weights(self.initial_weights)
            del self.initial_weights
        self.built = True

    def call(self, x, mask=None):
        if self.mode == 1:  # sample-wise over the last axis
            m = K.mean(x, axis=-1, keepdims=True)
            std = K.sqrt(K.var(x, axis=-1, keepdims=True) + self.epsilon)
            x_normed = (x - m) / (std + self.epsilon)
            return self.gamma * x_normed + self.beta
        ndim = x.ndim
        axis = self.axis % ndim
        reduction_axes = [i for i in range(ndim) if i != axis]
        x_normed, mean, var = K.normalize_batch_in_training(x, self.gamma, self.beta,
                                                            reduction_axes, epsilon=self.epsilon)
        if self.mode == 2:
            return x_normed
        # Keras 1.2.2 on Theano 1.0 (bn.batch_normalization_train) accumulates var + epsilon
        self.add_update([K.moving_average_update(self.running_mean, mean, self.momentum),
                         K.moving_average_update(self.running_std, var + self.epsilon,
                                                 self.momentum)], x)
        broadcast = [1] * ndim
        broadcast[axis] = K.int_shape(self.gamma)[0]

        def shaped(v):
            return K.reshape(v, tuple(broadcast))
        x_normed_running = K.batch_normalization(x, shaped(self.running_mean),
                                                 shaped(self.running_std), shaped(self.beta),
                                                 shaped(self.gamma), epsilon=self.epsilon)
        return K.in_train_phase(x_normed, x_normed_running)

    def get_config(self):
        config = {'epsilon': self.epsilon, 'mode': self.mode, 'axis': self.axis,
                  'gamma_regularizer': config_of(self.gamma_regularizer),
                  'beta_regularizer': config_of(self.beta_regularizer),
                  'momentum': self.momentum}
        base = super(BatchNormalization, self).get_config()
        return dict(list(base.items()) + list(config.items()))
