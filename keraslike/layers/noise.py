"""Regularisation by noise, active only in the training phase: GaussianNoise, GaussianDropout.

>>> from keraslike.layers import GaussianNoise, GaussianDropout
>>> layers = [GaussianNoise(0.1), GaussianDropout(0.2)]
"""
import numbers

import numpy as np

from keraslike import backend as K
from keraslike.engine.topology import Layer
from keraslike.utils.generic_utils import check_fraction_arg
from .keras2 import keras1_kwargs


class GaussianNoise(Layer):
    """Add zero-mean Gaussian noise of standard deviation ``sigma`` (Keras 2: ``stddev``)."""

    def __init__(self, sigma=None, **kwargs):
        kwargs = keras1_kwargs(kwargs, {'stddev': 'sigma'})
        sigma = kwargs.pop('sigma', sigma)
        if sigma is None:
            raise TypeError('GaussianNoise needs `sigma` (Keras 2: `stddev`).')
        if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real) or sigma < 0:
            raise ValueError('Layer GaussianNoise: `sigma` (the noise standard deviation) must '
                             'be a number >= 0, got %r.' % (sigma,))
        self.supports_masking = True
        self.sigma = sigma
        self.uses_learning_phase = True
        super(GaussianNoise, self).__init__(**kwargs)

    def call(self, x, mask=None):
        return K.in_train_phase(
            lambda: x + K.random_normal(shape=K.shape(x), mean=0., std=self.sigma), x)

    def get_config(self):
        config = super(GaussianNoise, self).get_config()
        config['sigma'] = self.sigma
        return config


class GaussianDropout(Layer):
    """Multiply by Gaussian noise of mean 1 and std ``sqrt(p / (1 - p))`` (Keras 2: ``rate``)."""

    def __init__(self, p=None, **kwargs):
        kwargs = keras1_kwargs(kwargs, {'rate': 'p'})
        p = kwargs.pop('p', p)
        if p is None:
            raise TypeError('GaussianDropout needs `p` (Keras 2: `rate`).')
        self.supports_masking = True
        self.p = check_fraction_arg(p, 'p', 'Layer GaussianDropout')
        if 0 < self.p < 1:
            self.uses_learning_phase = True
        super(GaussianDropout, self).__init__(**kwargs)

    def call(self, x, mask=None):
        if 0 < self.p < 1:
            std = np.sqrt(self.p / (1.0 - self.p))
            return K.in_train_phase(
                lambda: x * K.random_normal(shape=K.shape(x), mean=1.0, std=std), x)
        return x

    def get_config(self):
        config = super(GaussianDropout, self).get_config()
        config['p'] = self.p
        return config
