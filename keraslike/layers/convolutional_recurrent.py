"""ConvLSTM2D: an LSTM whose input and recurrent transformations are convolutions (Keras 1.2.2).

Input (samples, time, channels, rows, cols) with ``dim_ordering='th'`` or
(samples, time, rows, cols, channels) with 'tf'. Weights, in Keras 1's
order: ``W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o``;
``W_*`` maps the input to ``nb_filter`` maps (``border_mode``, ``subsample``),
``U_*`` maps the hidden state to itself ('same' border). As for the other
recurrent layers, the input convolutions of all timesteps run as one
convolution of the four gates before the loop.

>>> from keraslike.layers import ConvLSTM2D
>>> layer = ConvLSTM2D(8, 3, 3, border_mode='same', input_shape=(10, 1, 16, 16))
"""
import warnings

import numpy as np

from keraslike import activations, initializations, regularizers
from keraslike import backend as K
from keraslike.engine.topology import InputSpec, Layer
from keraslike.utils.np_utils import conv_output_length
from keraslike.utils.conv_utils import normalize_dim_ordering
from keraslike.utils.generic_utils import check_fraction_arg, check_int_arg, take_named_args
from .recurrent_base import (KERAS1_LSTM_WEIGHT_ORDER, RECURRENT_RENAMES, add_gate_weights,
                             gate_weights_in_keras1_order, recurrent_keras1_kwargs,
                             stacked_gate_weight, static)

CONV_RECURRENT_RENAMES = dict(RECURRENT_RENAMES, filters='nb_filter', padding='border_mode',
                              strides='subsample', data_format='dim_ordering')


class ConvLSTM2D(Layer):
    """Convolutional LSTM (Shi et al. 2015); states [h, c] are feature maps."""

    def __init__(self, nb_filter=None, nb_row=None, nb_col=None, init='glorot_uniform',
                 inner_init='orthogonal', forget_bias_init='one', activation='tanh',
                 inner_activation='hard_sigmoid', dim_ordering='default', border_mode='valid',
                 subsample=(1, 1), W_regularizer=None, U_regularizer=None, b_regularizer=None,
                 dropout_W=0., dropout_U=0., return_sequences=False, go_backwards=False,
                 stateful=False, **kwargs):
        kwargs = recurrent_keras1_kwargs(kwargs, CONV_RECURRENT_RENAMES)
        if 'kernel_size' in kwargs:
            nb_row, nb_col = kwargs.pop('kernel_size')
        local = take_named_args(kwargs, dict(
            nb_filter=nb_filter, init=init, inner_init=inner_init,
            forget_bias_init=forget_bias_init, inner_activation=inner_activation,
            dim_ordering=dim_ordering, border_mode=border_mode, subsample=subsample,
            W_regularizer=W_regularizer, U_regularizer=U_regularizer,
            b_regularizer=b_regularizer, dropout_W=dropout_W, dropout_U=dropout_U))
        if local['nb_filter'] is None or nb_row is None or nb_col is None:
            raise TypeError('ConvLSTM2D needs nb_filter, nb_row and nb_col (Keras 2: filters, '
                            'kernel_size).')
        # None: what Keras 2's data_format=None means, the configured default
        dim_ordering = normalize_dim_ordering(
            'default' if local['dim_ordering'] is None else local['dim_ordering'], 'ConvLSTM2D')
        if dim_ordering == 'th':
            warnings.warn('Be careful if used with convolution3D layers: th in convolution 3D '
                          'corresponds to (samples, channels, conv_dim1, conv_dim2, conv_dim3) '
                          'while for this network it corresponds to: (samples, time, channels, '
                          'rows, cols)')
        self.nb_filter = check_int_arg(local['nb_filter'], 'nb_filter', 'Layer ConvLSTM2D')
        self.nb_row = check_int_arg(nb_row, 'nb_row', 'Layer ConvLSTM2D')
        self.nb_col = check_int_arg(nb_col, 'nb_col', 'Layer ConvLSTM2D')
        self.init = initializations.get(local['init'])
        self.inner_init = initializations.get(local['inner_init'])
        self.forget_bias_init = initializations.get(local['forget_bias_init'])
        self.activation = activations.get(activation)
        self.inner_activation = activations.get(local['inner_activation'])
        self.dim_ordering = dim_ordering
        self.border_mode = local['border_mode']
        self.subsample = tuple(local['subsample'])
        self.W_regularizer = regularizers.get(local['W_regularizer'])
        self.U_regularizer = regularizers.get(local['U_regularizer'])
        self.b_regularizer = regularizers.get(local['b_regularizer'])
        self.dropout_W = check_fraction_arg(local['dropout_W'], 'dropout_W', 'Layer ConvLSTM2D')
        self.dropout_U = check_fraction_arg(local['dropout_U'], 'dropout_U', 'Layer ConvLSTM2D')
        if self.dropout_W or self.dropout_U:
            self.uses_learning_phase = True
        self.return_sequences = return_sequences
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=5)]
        super(ConvLSTM2D, self).__init__(**kwargs)

    # ------------------------------------------------------------------ shapes
    def _frame_shape(self, input_shape):
        """The shape of one output frame (without samples and time)."""
        th = self.dim_ordering == 'th'
        rows, cols = (input_shape[3], input_shape[4]) if th else (input_shape[2], input_shape[3])
        rows = conv_output_length(rows, self.nb_row, self.border_mode, self.subsample[0])
        cols = conv_output_length(cols, self.nb_col, self.border_mode, self.subsample[1])
        return (self.nb_filter, rows, cols) if th else (rows, cols, self.nb_filter)

    def get_output_shape_for(self, input_shape):
        frame = self._frame_shape(input_shape)
        if self.return_sequences:
            return (input_shape[0], input_shape[1]) + frame
        return (input_shape[0],) + frame

    def compute_mask(self, input, mask=None):
        return mask if self.return_sequences else None

    # ------------------------------------------------------------------ weights and states
    def build(self, input_shape):
        if len(input_shape) != 5:
            raise ValueError('Layer %s expects input (samples, time, %s), got %s.'
                             % (self.name, 'channels, rows, cols' if self.dim_ordering == 'th'
                                else 'rows, cols, channels', input_shape))
        self.input_spec = [InputSpec(shape=tuple(input_shape))]
        channels = input_shape[2] if self.dim_ordering == 'th' else input_shape[4]
        f, r, c = self.nb_filter, self.nb_row, self.nb_col
        if self.dim_ordering == 'th':
            self.W_shape, self.U_shape = (f, channels, r, c), (f, f, r, c)
        else:
            self.W_shape, self.U_shape = (r, c, channels, f), (r, c, f, f)
        if self.stateful:
            self.reset_states()
        else:
            self.states = [None, None]
        # Keras 1 creates the gates i, f, c, o (here U_* use inner_init and U_regularizer)
        add_gate_weights(self, 'ifco', self.W_shape, self.U_shape, (f,), self.inner_init,
                         self.U_regularizer)
        self.trainable_weights = gate_weights_in_keras1_order(self, KERAS1_LSTM_WEIGHT_ORDER)
        self.built = True

    def reset_states(self):
        """Zero the states of a stateful layer."""
        if not self.stateful:
            raise AttributeError('Layer %s must be stateful to reset its states.' % self.name)
        input_shape = self.input_spec[0].shape
        if not input_shape or not input_shape[0]:
            raise ValueError('Layer %s: a stateful RNN needs to know its batch size (give a '
                             '`batch_input_shape`); got input shape %s.'
                             % (self.name, input_shape))
        shape = (input_shape[0],) + self._frame_shape(input_shape)
        if getattr(self, 'states', None) and self.states[0] is not None:
            for state in self.states:
                K.set_value(state, np.zeros(shape))
        else:
            self.states = [K.zeros(shape), K.zeros(shape)]

    # ------------------------------------------------------------------ the computation
    def _channel_axis(self, ndim):
        return 1 if self.dim_ordering == 'th' else ndim - 1

    def _fused(self, prefix):
        """The four gates' kernels (or biases) stacked along the output-channel axis."""
        axis = 0 if prefix == 'b' or self.dim_ordering == 'th' else 3
        return stacked_gate_weight(self, prefix, 'ifco', axis=axis)

    def _dropout(self, like, p, count):
        if not 0. < p < 1.:
            return None
        ones = K.ones_like(like)
        return [K.in_train_phase(K.dropout(ones, p), ones) for _ in range(count)]

    def call(self, x, mask=None):
        input_shape = self.input_spec[0].shape
        shape = K.shape(x)
        samples, steps = shape[0], input_shape[1] if input_shape[1] is not None else shape[1]
        frame_in = tuple(input_shape[2:])
        frames = K.reshape(x, (samples * steps,) + frame_in)   # every timestep at once
        frames._keras_shape = (None,) + frame_in
        W, U, b = self._fused('W'), self._fused('U'), self._fused('b')
        f = self.nb_filter
        w_shape4 = (4 * f,) + self.W_shape[1:] if self.dim_ordering == 'th' else \
            self.W_shape[:3] + (4 * f,)
        u_shape4 = (4 * f,) + self.U_shape[1:] if self.dim_ordering == 'th' else \
            self.U_shape[:3] + (4 * f,)
        # one input dropout mask per sequence and gate, the same at every step
        masks_W = self._dropout(x[:, 0], self.dropout_W, 4)
        if masks_W:
            xp = K.concatenate([K.conv2d(K.reshape(x * K.expand_dims(m, 1),
                                                   (samples * steps,) + frame_in),
                                         static(getattr(self, 'W_' + g)), self.subsample,
                                         self.border_mode, self.dim_ordering,
                                         filter_shape=self.W_shape)
                                for m, g in zip(masks_W, 'ifco')], axis=self._channel_axis(4))
        else:
            xp = K.conv2d(frames, W, self.subsample, self.border_mode, self.dim_ordering,
                          filter_shape=w_shape4)
        bias_shape = (1, 4 * f, 1, 1) if self.dim_ordering == 'th' else (1, 1, 1, 4 * f)
        xp = xp + K.reshape(b, bias_shape)
        frame_out = self._frame_shape(input_shape)
        gates_frame = (4 * f,) + frame_out[1:] if self.dim_ordering == 'th' else \
            frame_out[:2] + (4 * f,)
        xp = K.reshape(xp, (samples, steps) + gates_frame)
        if self.stateful:
            initial = list(self.states)
        else:
            zero = K.zeros_like(xp[:, 0, :f] if self.dim_ordering == 'th' else xp[:, 0, :, :, :f])
            initial = [zero, zero]
        masks_U = self._dropout(initial[0], self.dropout_U, 4)
        constants = [U] + (masks_U or [])

        def step(x_t, states):
            h, c, U_t, drop = states[0], states[1], states[2], states[3:]
            axis = self._channel_axis(4)
            if drop:
                rec = K.concatenate([K.conv2d(h * drop[k], self._gate(U_t, k), (1, 1), 'same',
                                              self.dim_ordering, filter_shape=self.U_shape)
                                     for k in range(4)], axis=axis)
            else:
                rec = K.conv2d(h, U_t, (1, 1), 'same', self.dim_ordering,
                               filter_shape=u_shape4)
            z = x_t + rec
            gates = [self._slice(z, k) for k in range(4)]   # i, f, c, o
            c = self.inner_activation(gates[1]) * c + \
                self.inner_activation(gates[0]) * self.activation(gates[2])
            h = self.inner_activation(gates[3]) * self.activation(c)
            return h, [h, c]
        last, outputs, states = K.rnn(step, xp, initial, go_backwards=self.go_backwards,
                                      mask=mask, constants=constants,
                                      input_length=input_shape[1])
        if self.stateful:
            self.add_update([(var, new) for var, new in zip(self.states, states)], x)
        return outputs if self.return_sequences else last

    def _slice(self, z, k):
        f = self.nb_filter
        if self.dim_ordering == 'th':
            return z[:, k * f:(k + 1) * f]
        return z[:, :, :, k * f:(k + 1) * f]

    def _gate(self, U, k):
        f = self.nb_filter
        if self.dim_ordering == 'th':
            return U[k * f:(k + 1) * f]
        return U[:, :, :, k * f:(k + 1) * f]

    def get_config(self):
        config = {'nb_filter': self.nb_filter, 'nb_row': self.nb_row, 'nb_col': self.nb_col,
                  'return_sequences': self.return_sequences,
                  'go_backwards': self.go_backwards, 'stateful': self.stateful}
        if self.stateful and self.input_spec and self.input_spec[0].shape:
            config['batch_input_shape'] = self.input_spec[0].shape
        config.update({'init': self.init.__name__, 'inner_init': self.inner_init.__name__,
                       'forget_bias_init': self.forget_bias_init.__name__,
                       'activation': self.activation.__name__,
                       'dim_ordering': self.dim_ordering, 'border_mode': self.border_mode,
                       'inner_activation': self.inner_activation.__name__})
        base = super(ConvLSTM2D, self).get_config()
        return dict(list(base.items()) + list(config.items()))
