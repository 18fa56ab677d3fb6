"""Embedding: turn integer indices into dense vectors (Keras 1.2.2).

``Embedding(input_dim, output_dim)`` maps (samples, timesteps) integers in
``[0, input_dim)`` to (samples, timesteps, output_dim). With ``mask_zero``
index 0 is padding: the layer emits the mask ``x != 0``, which recurrent
layers, TimeDistributed and the loss honour. Keras 2 spellings
(``embeddings_initializer``, ``embeddings_regularizer``, ...) are accepted.

>>> from keraslike.layers import Embedding
>>> layer = Embedding(1000, 64, input_length=10, mask_zero=True)
"""
from keraslike import constraints, initializations, regularizers
import numpy as np

from keraslike import backend as K
from keraslike.engine.topology import Layer
from keraslike.utils.generic_utils import check_fraction_arg, check_int_arg
from .keras2 import keras1_kwargs

EMBEDDING_RENAMES = {'embeddings_initializer': 'init', 'embeddings_regularizer': 'W_regularizer',
                     'embeddings_constraint': 'W_constraint'}


class Embedding(Layer):
    """Lookup table ``W`` (input_dim, output_dim), initialised uniform on [-0.05, 0.05].

    ``dropout`` drops whole rows of ``W`` (word vectors) during training.
    """
    input_ndim = 2

    def __init__(self, input_dim, output_dim, init='uniform', input_length=None,
                 W_regularizer=None, activity_regularizer=None, W_constraint=None,
                 mask_zero=False, weights=None, dropout=0., **kwargs):
        kwargs = keras1_kwargs(kwargs, EMBEDDING_RENAMES)
        init = kwargs.pop('init', init)
        W_regularizer = kwargs.pop('W_regularizer', W_regularizer)
        W_constraint = kwargs.pop('W_constraint', W_constraint)
        self.input_dim = check_int_arg(input_dim, 'input_dim', 'Layer Embedding')
        self.output_dim = check_int_arg(output_dim, 'output_dim', 'Layer Embedding')
        self.init = initializations.get(init)
        if input_length is not None:
            input_length = check_int_arg(input_length, 'input_length', 'Layer Embedding')
        self.input_length = input_length
        self.mask_zero = mask_zero
        self.dropout = check_fraction_arg(dropout, 'dropout', 'Layer Embedding')
        self.W_constraint = constraints.get(W_constraint)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        if 0. < self.dropout < 1.:
            self.uses_learning_phase = True
        self.initial_weights = weights
        kwargs['input_shape'] = (self.input_length,)
        kwargs['input_dtype'] = 'int32'
        super(Embedding, self).__init__(**kwargs)

    def build(self, input_shape):
        self.W = self.add_weight((self.input_dim, self.output_dim), initializer=self.init,
                                 name='{}_W'.format(self.name), regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        if self.initial_weights is not None:
            self.set_weights(self.initial_weights)
            del self.initial_weights
        self.built = True

    def check_input_data(self, array, source):
        # JAX clips an out-of-range lookup to the last row (Theano raised IndexError), so a
        # wrong vocabulary size would train on wrong vectors without a word said
        if array.size and np.issubdtype(array.dtype, np.number):
            low, high = array.min(), array.max()
            if low < 0 or high >= self.input_dim:
                raise ValueError('Layer %s (Embedding with input_dim=%d) takes indices in '
                                 '[0, %d); %s holds %s.' % (
                                     self.name, self.input_dim, self.input_dim, source,
                                     'the index %s' % (low if low < 0 else high)))

    def compute_mask(self, x, mask=None):
        # an incoming mask is ignored: the indices define the mask
        if not self.mask_zero:
            return None
        return K.not_equal(x, 0)

    def get_output_shape_for(self, input_shape):
        shape = list(input_shape)
        if self.input_length and len(shape) > 1:
            if shape[1] is not None and shape[1] != self.input_length:
                raise ValueError('Layer %s: input_length is %d but the input has shape %s.'
                                 % (self.name, self.input_length, tuple(input_shape)))
            shape[1] = self.input_length
        return tuple(shape) + (self.output_dim,)

    def call(self, x, mask=None):
        if 'int' not in K.dtype(x):
            x = K.cast(x, 'int32')
        W = self.W
        if 0. < self.dropout < 1.:
            retain = 1. - self.dropout
            rows = K.expand_dims(K.random_binomial((self.input_dim,), p=retain) * (1. / retain))
            W = K.in_train_phase(self.W * rows, self.W)
        if K.ndim(x) != 2:
            return K.gather(W, x)
        # gathering flat indices gives a row-scatter gradient (the fast kind)
        out = K.gather(W, K.flatten(x))
        return K.reshape(out, (K.shape(x)[0], K.shape(x)[1], self.output_dim))

    def get_config(self):
        def cfg(obj):
            return obj.get_config() if obj is not None else None
        config = {'input_dim': self.input_dim, 'output_dim': self.output_dim,
                  'init': self.init.__name__, 'input_length': self.input_length,
                  'mask_zero': self.mask_zero,
                  'activity_regularizer': cfg(self.activity_regularizer),
                  'W_regularizer': cfg(self.W_regularizer),
                  'W_constraint': cfg(self.W_constraint), 'dropout': self.dropout}
        base = super(Embedding, self).get_config()
        return dict(list(base.items()) + list(config.items()))
