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
from .recurrent_base import KERAS1_LSTM_WEIGHT_ORDER, Recurrent, gate_weights_in_keras1_order


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
        self._init_cell(locals(), inner_activation=None)

    def build(self, input_shape):
        self._start_build(input_shape)
        self._add_fused_weights()
        self._finish_build()

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
    creation_order = block_order = 'zrh'

    def __init__(self, output_dim=None, init='glorot_uniform', inner_init='orthogonal',
                 activation='tanh', inner_activation='hard_sigmoid', W_regularizer=None,
                 U_regularizer=None, b_regularizer=None, dropout_W=0., dropout_U=0., **kwargs):
        self._init_cell(locals())

    def build(self, input_shape):
        self._start_build(input_shape)
        if self.consume_less == 'gpu':
            self._add_fused_weights()
        else:
            self._add_gate_weights()
        self._finish_build()

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
    creation_order = block_order = 'ifco'

    def __init__(self, output_dim=None, init='glorot_uniform', inner_init='orthogonal',
                 forget_bias_init='one', activation='tanh', inner_activation='hard_sigmoid',
                 W_regularizer=None, U_regularizer=None, b_regularizer=None, dropout_W=0.,
                 dropout_U=0., **kwargs):
        self._init_cell(locals())

    def build(self, input_shape):
        self._start_build(input_shape)
        n = self.output_dim
        if self.consume_less == 'gpu':
            def bias_init(shape, name=None):
                forget = K.get_value(self.forget_bias_init((n,)))
                return K.variable(np.hstack((np.zeros(n), forget, np.zeros(n), np.zeros(n))),
                                  name=name)
            self._add_fused_weights(bias_init)
        else:
            # created in the order i, f, c, o (as Keras 1 draws its random values) ...
            self._add_gate_weights()
            # ... but listed i, c, f, o, the Keras 1 weight order
            self.trainable_weights = gate_weights_in_keras1_order(self, KERAS1_LSTM_WEIGHT_ORDER)
        self._finish_build()

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
