"""Locally-connected layers: like convolutions, but with unshared weights per output position.

Only ``border_mode='valid'``. Weights as in Keras 1.2.2: LocallyConnected1D
``W (output_length, filter_length * input_dim, nb_filter)``, ``b (output_length,
nb_filter)``; LocallyConnected2D ``W (out_rows * out_cols, nb_row * nb_col * c_in,
nb_filter)`` with patches flattened in the input's own axis order, ``b (out_rows,
out_cols, nb_filter)`` (added to 'th' outputs by a plain reshape, as Keras 1 did).

>>> from keraslike.layers import LocallyConnected1D
>>> layer = LocallyConnected1D(16, 3, input_shape=(10, 4))     # -> (None, 8, 16)
"""
from keraslike import backend as K
from keraslike.engine.topology import InputSpec, Layer  # noqa: F401  (Keras 1 path)
from keraslike.utils.np_utils import conv_output_length
from keraslike.utils.generic_utils import check_int_arg
from keraslike.utils.conv_utils import normalize_dim_ordering, normalize_tuple
from .convolutional import CONV, CONV1D
from .dense import _WeightedLayer
from .keras2 import keras1_kwargs


class _Local(_WeightedLayer):
    def _init_local(self, nb_filter, kernel_size, border_mode, subsample, kwargs, rank):
        label = kwargs.get('name') or self.__class__.__name__
        if border_mode != 'valid':
            raise ValueError('Invalid border mode for %s (only "valid" is supported): %r'
                             % (label, border_mode))
        owner = 'Layer ' + label
        self.nb_filter = check_int_arg(nb_filter, 'nb_filter', owner)
        self.kernel_size = normalize_tuple(kernel_size, rank, 'the kernel size', owner)
        self.subsample = normalize_tuple(subsample, rank, 'subsample (strides)', owner)
        self.border_mode = border_mode
        self.input_spec = [InputSpec(ndim=rank + 2)]

    def _lengths(self, spatial, input_shape):
        out = []
        for L, k, s in zip(spatial, self.kernel_size, self.subsample):
            n = conv_output_length(L, k, 'valid', s)
            if n is None:
                raise ValueError('Layer %s needs known spatial input sizes, got input shape %s.'
                                 % (self.name, input_shape))
            if n <= 0:
                raise ValueError('Layer %s: the kernel %s is larger than the input %s.'
                                 % (self.name, self.kernel_size, input_shape))
            out.append(n)
        return out

    def _make_weights(self, w_shape, b_shape):
        self.W_shape = w_shape
        self.W = self.add_weight(w_shape, initializer=self.init, name='{}_W'.format(self.name),
                                 regularizer=self.W_regularizer, constraint=self.W_constraint)
        self.b = None
        if self.bias:
            self.b = self.add_weight(b_shape, initializer='zero', name='{}_b'.format(self.name),
                                     regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)
        self._set_initial_weights()
        self.built = True

    def _apply(self, patches):
        """(positions, batch, features) patches times W -> (positions, batch, nb_filter)."""
        return K.batch_dot(K.stack(patches, axis=0), self.W)


class LocallyConnected1D(_Local):
    """``(s, steps, input_dim)`` -> ``(s, new_steps, nb_filter)``, a separate kernel per step."""

    def __init__(self, nb_filter=None, filter_length=None, init='glorot_uniform',
                 activation=None, weights=None, border_mode='valid', subsample_length=1,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None,
                 input_length=None, **kwargs):
        kwargs = keras1_kwargs(kwargs, CONV1D)
        filter_length = kwargs.pop('kernel_size', kwargs.pop('filter_length', filter_length))
        if isinstance(filter_length, (tuple, list)):
            filter_length = filter_length[0]
        nb_filter = kwargs.pop('nb_filter', nb_filter)
        self._setup(kwargs.pop('init', init), activation, weights,
                    kwargs.pop('W_regularizer', W_regularizer),
                    kwargs.pop('b_regularizer', b_regularizer), activity_regularizer,
                    kwargs.pop('W_constraint', W_constraint),
                    kwargs.pop('b_constraint', b_constraint), kwargs.pop('bias', bias))
        self._init_local(nb_filter, filter_length, kwargs.pop('border_mode', border_mode),
                         kwargs.pop('subsample_length', subsample_length), kwargs, 1)
        self.filter_length = self.kernel_size[0]
        self.input_dim = input_dim
        self.input_length = input_length
        if input_dim:
            kwargs['input_shape'] = (input_length, input_dim)
        super(LocallyConnected1D, self).__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        length, = self._lengths(input_shape[1:2], input_shape)
        return (input_shape[0], length, self.nb_filter)

    def build(self, input_shape):
        input_dim = input_shape[2]
        length, = self._lengths(input_shape[1:2], input_shape)
        self._make_weights((length, self.filter_length * input_dim, self.nb_filter),
                           (length, self.nb_filter))

    def call(self, x, mask=None):
        length, feature_dim = self.W_shape[0], self.W_shape[1]
        stride = self.subsample[0]
        patches = [K.reshape(x[:, i * stride:i * stride + self.filter_length, :], (-1, feature_dim))
                   for i in range(length)]
        output = K.permute_dimensions(self._apply(patches), (1, 0, 2))
        if self.bias:
            output = output + K.reshape(self.b, (1, length, self.nb_filter))
        return self.activation(output)

    def get_config(self):
        config = {'nb_filter': self.nb_filter, 'filter_length': self.filter_length}
        config.update(self._weighted_config())
        config.update({'border_mode': self.border_mode, 'subsample_length': self.subsample[0],
                       'input_dim': self.input_dim, 'input_length': self.input_length})
        base = super(LocallyConnected1D, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class LocallyConnected2D(_Local):
    """Images with a separate ``nb_row x nb_col`` kernel per output position."""

    def __init__(self, nb_filter=None, nb_row=None, nb_col=None, init='glorot_uniform',
                 activation=None, weights=None, border_mode='valid', subsample=(1, 1),
                 dim_ordering='default', W_regularizer=None, b_regularizer=None,
                 activity_regularizer=None, W_constraint=None, b_constraint=None, bias=True,
                 **kwargs):
        kwargs = keras1_kwargs(kwargs, CONV)
        kernel_size = kwargs.pop('kernel_size', None)
        if kernel_size is None:
            kernel_size = tuple(nb_row) if isinstance(nb_row, (tuple, list)) else (
                (nb_row, nb_row) if nb_col is None else (nb_row, nb_col))
        nb_filter = kwargs.pop('nb_filter', nb_filter)
        self._setup(kwargs.pop('init', init), activation, weights,
                    kwargs.pop('W_regularizer', W_regularizer),
                    kwargs.pop('b_regularizer', b_regularizer), activity_regularizer,
                    kwargs.pop('W_constraint', W_constraint),
                    kwargs.pop('b_constraint', b_constraint), kwargs.pop('bias', bias))
        self._init_local(nb_filter, kernel_size, kwargs.pop('border_mode', border_mode),
                         kwargs.pop('subsample', subsample), kwargs, 2)
        self.nb_row, self.nb_col = self.kernel_size
        self.dim_ordering = normalize_dim_ordering(kwargs.pop('dim_ordering', dim_ordering))
        super(LocallyConnected2D, self).__init__(**kwargs)

    def _split(self, input_shape):
        if self.dim_ordering == 'th':
            return input_shape[1], input_shape[2:4]
        return input_shape[3], input_shape[1:3]

    def get_output_shape_for(self, input_shape):
        _, spatial = self._split(input_shape)
        rows, cols = self._lengths(spatial, input_shape)
        if self.dim_ordering == 'th':
            return (input_shape[0], self.nb_filter, rows, cols)
        return (input_shape[0], rows, cols, self.nb_filter)

    def build(self, input_shape):
        channels, spatial = self._split(input_shape)
        self.output_row, self.output_col = self._lengths(spatial, input_shape)
        self._make_weights((self.output_row * self.output_col,
                            self.nb_row * self.nb_col * channels, self.nb_filter),
                           (self.output_row, self.output_col, self.nb_filter))

    def call(self, x, mask=None):
        feature_dim = self.W_shape[1]
        rows, cols = self.output_row, self.output_col
        sr, sc = self.subsample
        patches = []
        for i in range(rows):
            for j in range(cols):
                r = slice(i * sr, i * sr + self.nb_row)
                c = slice(j * sc, j * sc + self.nb_col)
                patch = x[:, :, r, c] if self.dim_ordering == 'th' else x[:, r, c, :]
                patches.append(K.reshape(patch, (-1, feature_dim)))
        output = K.reshape(self._apply(patches), (rows, cols, -1, self.nb_filter))
        if self.dim_ordering == 'th':
            output = K.permute_dimensions(output, (2, 3, 0, 1))
            if self.bias:  # Keras 1 adds b by a plain reshape, without a transpose
                output = output + K.reshape(self.b, (1, self.nb_filter, rows, cols))
        else:
            output = K.permute_dimensions(output, (2, 0, 1, 3))
            if self.bias:
                output = output + K.reshape(self.b, (1, rows, cols, self.nb_filter))
        return self.activation(output)

    def get_config(self):
        config = {'nb_filter': self.nb_filter, 'nb_row': self.nb_row, 'nb_col': self.nb_col}
        config.update(self._weighted_config())
        config.update({'border_mode': self.border_mode, 'subsample': self.subsample,
                       'dim_ordering': self.dim_ordering})
        base = super(LocallyConnected2D, self).get_config()
        return dict(list(base.items()) + list(config.items()))
