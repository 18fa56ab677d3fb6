"""Recurrent layers: SimpleRNN, GRU, LSTM (Keras 1.2.2 arguments, weights and quirks).

Weights follow Keras 1 exactly, so Keras 1 weight files load in order:
SimpleRNN ``W, U, b``; GRU ``W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h``
(consume_less 'cpu'/'mem') or ``W, U, b`` with blocks z, r, h ('gpu'); LSTM
``W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o`` or ``W, U, b``
with blocks i, f, c, o. As in Keras 1, GRU/LSTM in 'cpu'/'mem' initialise
and regularise ``U_*`` with ``init``/``W_regularizer``, and SimpleRNN applies
``dropout_W`` only with consume_less='cpu'. Keras 2 spellings (``units``,
``recurrent_dropout``, ``implementation``...) are accepted.

>>> from keraslike.models import Sequential
>>> from keraslike.layers import LSTM, Dense
>>> model = Sequential([LSTM(32, input_shape=(10, 16)), Dense(1, activation='sigmoid')])
"""
import numpy as np

from keraslike import backend as K
from keraslike.engine.topology import InputSpec, Layer  # noqa: F401  (Keras 1 path)
from .recurrent_base import Recurrent, keras2_recurrent_kwargs, static, take_cell_kwargs  # noqa: F401,E501


def time_distributed_dense(x, w, b=None, dropout=None, input_dim=None, output_dim=None,
                           timesteps=None):
    """``y . w + b`` for every timestep ``y`` of ``x`` (samples, timesteps, input_dim).

    Keras 1's helper for precomputing a recurrent layer's input projections.
    With ``0 < dropout < 1`` one dropout mask per sample is shared by all
    timesteps, in the training phase only. Returns (samples, timesteps, output_dim).
    """
    if not input_dim:
        input_dim = K.shape(x)[2]
    if not timesteps:
        timesteps = K.shape(x)[1]
    if not output_dim:
        output_dim = K.shape(w)[1]
    if dropout is not None and 0. < dropout < 1.:
        mask = K.dropout(K.ones_like(x[:, 0, :]), dropout)
        # the (samples, 1, input_dim) mask broadcasts over time: one pattern per sequence
        x = K.in_train_phase(x * K.expand_dims(mask, 1), x)
    y = K.dot(K.reshape(x, (-1, input_dim)), w)
    if b is not None:
        y = y + b
    return K.reshape(y, (-1, timesteps, output_dim))


class SimpleRNN(Recurrent):
    """Fully connected RNN: ``h_t = activation(x_t.W + b + h_{t-1}.U)``."""
    cell = 'simple'
    n_gates = 1
    n_states = 1

    def __init__(self, output_dim=None, init='glorot_uniform', inner_init='orthogonal',
                 activation='tanh', W_regularizer=None, U_regularizer=None, b_regularizer=None,
                 dropout_W=0., dropout_U=0., **kwargs):
        kwargs = keras2_recurrent_kwargs(kwargs)
        args = dict(output_dim=output_dim, init=init, inner_init=inner_init,
                    activation=activation, W_regularizer=W_regularizer,
                    U_regularizer=U_regularizer, b_regularizer=b_regularizer,
                    dropout_W=dropout_W, dropout_U=dropout_U)
        take_cell_kwargs(kwargs, args)
        self._setup(inner_activation=None, **args)
        super(SimpleRNN, self).__init__(**kwargs)

    def build(self, input_shape):
        self._start_build(input_shape)
        n, d = self.output_dim, self.input_dim
        self.W = self.add_weight((d, n), initializer=self.init, name='{}_W'.format(self.name),
                                 regularizer=self.W_regularizer, constraint=self.W_constraint)
        self.U = self.add_weight((n, n), initializer=self.inner_init,
                                 name='{}_U'.format(self.name), regularizer=self.U_regularizer,
                                 constraint=self.U_constraint)
        self.b = self.add_weight((n,), initializer='zero', name='{}_b'.format(self.name),
                                 regularizer=self.b_regularizer, constraint=self.b_constraint)
        self._finish_build()

    def fused_weights(self):
        return static(self.W), static(self.U), static(self.b)

    def input_dropout_masks(self, x):
        # Keras 1 quirk: dropout_W only acts in consume_less='cpu'
        if self.consume_less != 'cpu':
            return None
        return self._dropout_masks(x, self.dropout_W, self.input_dim, 1)

    def recurrent_dropout_masks(self, x):
        return self._dropout_masks(x, self.dropout_U, self.output_dim, 1)

    def step(self, x, states):
        h_prev, U, masks = states[0], states[1], states[2:]
        h = self.activation(x + self.recurrent_projection(h_prev, U, masks, 0, 1))
        return h, [h]

    def get_config(self):
        config = self._cell_config()
        base = super(SimpleRNN, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class GRU(Recurrent):
    """Gated Recurrent Unit (Cho et al. 2014).

    ``z = s(x_z + h.U_z)``, ``r = s(x_r + h.U_r)``, ``hh = act(x_h + (r*h).U_h)``,
    ``h' = z*h + (1-z)*hh`` with ``s = inner_activation``.
    """
    cell = 'gru'
    n_gates = 3
    n_states = 1

    def __init__(self, output_dim=None, init='glorot_uniform', inner_init='orthogonal',
                 activation='tanh', inner_activation='hard_sigmoid', W_regularizer=None,
                 U_regularizer=None, b_regularizer=None, dropout_W=0., dropout_U=0., **kwargs):
        kwargs = keras2_recurrent_kwargs(kwargs)
        args = dict(output_dim=output_dim, init=init, inner_init=inner_init,
                    activation=activation, inner_activation=inner_activation,
                    W_regularizer=W_regularizer, U_regularizer=U_regularizer,
                    b_regularizer=b_regularizer, dropout_W=dropout_W, dropout_U=dropout_U)
        take_cell_kwargs(kwargs, args)
        self._setup(**args)
        super(GRU, self).__init__(**kwargs)

    def build(self, input_shape):
        self._start_build(input_shape)
        n, d = self.output_dim, self.input_dim
        if self.consume_less == 'gpu':
            self.W = self.add_weight((d, 3 * n), initializer=self.init,
                                     name='{}_W'.format(self.name),
                                     regularizer=self.W_regularizer, constraint=self.W_constraint)
            self.U = self.add_weight((n, 3 * n), initializer=self.inner_init,
                                     name='{}_U'.format(self.name),
                                     regularizer=self.U_regularizer, constraint=self.U_constraint)
            self.b = self.add_weight((3 * n,), initializer='zero', name='{}_b'.format(self.name),
                                     regularizer=self.b_regularizer, constraint=self.b_constraint)
        else:
            for gate in ('z', 'r', 'h'):
                self._gate_weights(gate, d, n)
        self._finish_build()

    def _gate_weights(self, gate, d, n):
        # Keras 1 quirk: U_* use `init` and W_regularizer in 'cpu'/'mem'
        setattr(self, 'W_' + gate, self.add_weight(
            (d, n), initializer=self.init, name='{}_W_{}'.format(self.name, gate),
            regularizer=self.W_regularizer, constraint=self.W_constraint))
        setattr(self, 'U_' + gate, self.add_weight(
            (n, n), initializer=self.init, name='{}_U_{}'.format(self.name, gate),
            regularizer=self.W_regularizer, constraint=self.U_constraint))
        setattr(self, 'b_' + gate, self.add_weight(
            (n,), initializer='zero', name='{}_b_{}'.format(self.name, gate),
            regularizer=self.b_regularizer, constraint=self.b_constraint))

    def fused_weights(self):
        if self.consume_less == 'gpu':
            return static(self.W), static(self.U), static(self.b)
        return tuple(K.concatenate([static(getattr(self, p + '_' + g)) for g in 'zrh'], axis=-1)
                     for p in 'WUb')

    def step(self, x, states):
        h_prev, U, masks = states[0], states[1], states[2:]
        n = self.output_dim
        inner = self.recurrent_projection(h_prev, U, masks, 0, 2)
        z = self.inner_activation(x[:, :n] + inner[:, :n])
        r = self.inner_activation(x[:, n:2 * n] + inner[:, n:])
        rh = r * h_prev
        if masks:
            rh = rh * masks[-1]  # the h block's mask (the only one in gpu mode)
        hh = self.activation(x[:, 2 * n:] + K.dot(rh, U[:, 2 * n:]))
        h = z * h_prev + (1. - z) * hh
        return h, [h]

    def get_config(self):
        config = self._cell_config()
        base = super(GRU, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class LSTM(Recurrent):
    """Long Short-Term Memory (Hochreiter 1997); states [h, c].

    ``i, f, o = s(x_* + h.U_*)``, ``c' = f*c + i*act(x_c + h.U_c)``,
    ``h' = o*act(c')`` with ``s = inner_activation``; ``forget_bias_init``
    initialises the forget-gate bias (ones by default).
    """
    cell = 'lstm'
    n_gates = 4
    n_states = 2

    def __init__(self, output_dim=None, init='glorot_uniform', inner_init='orthogonal',
                 forget_bias_init='one', activation='tanh', inner_activation='hard_sigmoid',
                 W_regularizer=None, U_regularizer=None, b_regularizer=None, dropout_W=0.,
                 dropout_U=0., **kwargs):
        kwargs = keras2_recurrent_kwargs(kwargs)
        from keraslike import initializations
        self.forget_bias_init = initializations.get(kwargs.pop('forget_bias_init',
                                                               forget_bias_init))
        args = dict(output_dim=output_dim, init=init, inner_init=inner_init,
                    activation=activation, inner_activation=inner_activation,
                    W_regularizer=W_regularizer, U_regularizer=U_regularizer,
                    b_regularizer=b_regularizer, dropout_W=dropout_W, dropout_U=dropout_U)
        take_cell_kwargs(kwargs, args)
        self._setup(**args)
        super(LSTM, self).__init__(**kwargs)

    def build(self, input_shape):
        self._start_build(input_shape)
        n, d = self.output_dim, self.input_dim
        if self.consume_less == 'gpu':
            self.W = self.add_weight((d, 4 * n), initializer=self.init,
                                     name='{}_W'.format(self.name),
                                     regularizer=self.W_regularizer, constraint=self.W_constraint)
            self.U = self.add_weight((n, 4 * n), initializer=self.inner_init,
                                     name='{}_U'.format(self.name),
                                     regularizer=self.U_regularizer, constraint=self.U_constraint)

            def bias_init(shape, name=None):
                forget = K.get_value(self.forget_bias_init((n,)))
                return K.variable(np.hstack((np.zeros(n), forget, np.zeros(n), np.zeros(n))),
                                  name=name)
            self.b = self.add_weight((4 * n,), initializer=bias_init,
                                     name='{}_b'.format(self.name),
                                     regularizer=self.b_regularizer, constraint=self.b_constraint)
        else:
            # created in the order i, f, c, o (as Keras 1 draws its random values) ...
            for gate in ('i', 'f', 'c', 'o'):
                self._gate_weights(gate, d, n)
            # ... but listed i, c, f, o, the Keras 1 weight order
            self.trainable_weights = [getattr(self, p + '_' + g) for g in 'icfo' for p in 'WUb']
        self._finish_build()

    def _gate_weights(self, gate, d, n):
        # Keras 1 quirk: U_* use `init` and W_regularizer in 'cpu'/'mem'
        setattr(self, 'W_' + gate, self.add_weight(
            (d, n), initializer=self.init, name='{}_W_{}'.format(self.name, gate),
            regularizer=self.W_regularizer, constraint=self.W_constraint))
        setattr(self, 'U_' + gate, self.add_weight(
            (n, n), initializer=self.init, name='{}_U_{}'.format(self.name, gate),
            regularizer=self.W_regularizer, constraint=self.U_constraint))
        setattr(self, 'b_' + gate, self.add_weight(
            (n,), initializer=self.forget_bias_init if gate == 'f' else 'zero',
            name='{}_b_{}'.format(self.name, gate), regularizer=self.b_regularizer,
            constraint=self.b_constraint))

    def fused_weights(self):
        if self.consume_less == 'gpu':
            return static(self.W), static(self.U), static(self.b)
        return tuple(K.concatenate([static(getattr(self, p + '_' + g)) for g in 'ifco'], axis=-1)
                     for p in 'WUb')

    def step(self, x, states):
        h_prev, c_prev, U, masks = states[0], states[1], states[2], states[3:]
        n = self.output_dim
        z = x + self.recurrent_projection(h_prev, U, masks, 0, 4)
        i = self.inner_activation(z[:, :n])
        f = self.inner_activation(z[:, n:2 * n])
        c = f * c_prev + i * self.activation(z[:, 2 * n:3 * n])
        o = self.inner_activation(z[:, 3 * n:])
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = self._cell_config()
        items = list(config.items())
        items.insert(3, ('forget_bias_init', self.forget_bias_init.__name__))
        base = super(LSTM, self).get_config()
        return dict(list(base.items()) + items)
