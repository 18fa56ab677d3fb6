"""Recurrent: the base of SimpleRNN, GRU and LSTM (Keras 1.2.2 semantics).

A built-in subclass declares its cell (``'simple'``, ``'gru'``, ``'lstm'``),
creates its weights in ``build`` and returns them fused (gate blocks side by
side) from ``fused_weights()``. A Keras 1 style custom subclass (no ``cell``)
defines ``step`` and optionally ``preprocess_input``/``get_constants``, and
runs through ``K.rnn`` as in Keras 1. The base class does the rest the same way for all three:
the input projection ``x.W + b`` for every step is one GEMM outside the loop
(what Keras 1 calls ``consume_less='cpu'``), then the recurrence runs either
as one fused loop (``K.rnn_sequence``, the fast path) or through ``K.rnn``
(scan, or a Python loop with ``unroll=True``) with the cell's ``step``. The
``consume_less`` modes only change the weight layout and how dropout masks
are shared, as in Keras 1; the arithmetic is the same.

>>> from keraslike.layers import LSTM
>>> layer = LSTM(32, return_sequences=True, input_shape=(10, 8))
"""
import numpy as np

from keraslike import activations, constraints, initializations, regularizers
from keraslike import backend as K
from keraslike.engine.topology import InputSpec, Layer
from keraslike.utils.generic_utils import check_fraction_arg, check_int_arg, take_named_args
from .keras2 import keras1_kwargs

# Keras 2 name -> Keras 1 name (implementation 0/1/2 becomes consume_less cpu/mem/gpu)
RECURRENT_RENAMES = {
    'units': 'output_dim', 'kernel_initializer': 'init', 'recurrent_initializer': 'inner_init',
    'recurrent_activation': 'inner_activation', 'kernel_regularizer': 'W_regularizer',
    'recurrent_regularizer': 'U_regularizer', 'bias_regularizer': 'b_regularizer',
    'kernel_constraint': 'W_constraint', 'recurrent_constraint': 'U_constraint',
    'bias_constraint': 'b_constraint', 'dropout': 'dropout_W', 'recurrent_dropout': 'dropout_U',
    'implementation': 'consume_less',
}
_CONSUME_LESS = ('cpu', 'mem', 'gpu')


_FUSED_ACTIVATIONS = ('linear', 'tanh', 'sigmoid', 'hard_sigmoid', 'relu')


def fusable_name(fn):
    """The name of a built-in activation the fused loop can run, else None (e.g. a lambda)."""
    for name in _FUSED_ACTIVATIONS:
        if getattr(activations, name, None) is fn:
            return name
    return None


def recurrent_keras1_kwargs(kwargs, renames=RECURRENT_RENAMES):
    """``kwargs`` with Keras 2 names renamed (``unit_forget_bias`` becomes ``forget_bias_init``)."""
    kwargs = dict(kwargs)
    if 'unit_forget_bias' in kwargs:  # Keras 2's flag -> the Keras 1 initialisation it means
        kwargs['unit_forget_bias'] = 'one' if kwargs['unit_forget_bias'] else 'zero'
    return keras1_kwargs(kwargs, dict(renames, unit_forget_bias='forget_bias_init'))


def keras2_recurrent_kwargs(kwargs):
    """Translate Keras 2 spellings (units, recurrent_dropout, implementation=2, ...)."""
    kwargs = recurrent_keras1_kwargs(kwargs)
    if not kwargs.pop('use_bias', True):
        raise TypeError('use_bias=False is not supported: Keras 1 recurrent layers always have '
                        'a bias.')
    return kwargs


def static(weight):
    """``weight`` with its shape fixed in the graph (JAX needs static split/slice sizes)."""
    return K.reshape(weight, K.int_shape(weight))


# the constraints are Keras 2 extensions: keyword-only here, not named parameters
CELL_CONSTRAINTS = ('W_constraint', 'U_constraint', 'b_constraint')


# ---------------------------------------------------------------------- per-gate weights
# GRU and LSTM (consume_less 'cpu'/'mem') and ConvLSTM2D keep one W, U and b per gate,
# as Keras 1 does, so that Keras 1 weight files load in order.
# LSTM-like cells create their gates i, f, c, o but Keras 1 lists the weights i, c, f, o
KERAS1_LSTM_WEIGHT_ORDER = 'icfo'


def add_gate_weights(layer, gates, W_shape, U_shape, b_shape, U_init, U_regularizer):
    """Create ``W_<g>, U_<g>, b_<g>`` on ``layer`` for each gate ``g``, in the order of
    ``gates`` (the order Keras 1 draws their random values); the forget gate ``'f'``
    bias starts at ``layer.forget_bias_init``, the others at zero."""
    for gate in gates:
        setattr(layer, 'W_' + gate, layer.add_weight(
            W_shape, initializer=layer.init, name='{}_W_{}'.format(layer.name, gate),
            regularizer=layer.W_regularizer, constraint=getattr(layer, 'W_constraint', None)))
        setattr(layer, 'U_' + gate, layer.add_weight(
            U_shape, initializer=U_init, name='{}_U_{}'.format(layer.name, gate),
            regularizer=U_regularizer, constraint=getattr(layer, 'U_constraint', None)))
        setattr(layer, 'b_' + gate, layer.add_weight(
            b_shape, initializer=layer.forget_bias_init if gate == 'f' else 'zero',
            name='{}_b_{}'.format(layer.name, gate), regularizer=layer.b_regularizer,
            constraint=getattr(layer, 'b_constraint', None)))


def gate_weights_in_keras1_order(layer, gates):
    """``[W_g, U_g, b_g for g in gates]``: the weight list order of Keras 1 files."""
    return [getattr(layer, p + '_' + g) for g in gates for p in 'WUb']


def stacked_gate_weight(layer, prefix, gates, axis=-1):
    """The gates' ``prefix`` weights (``'W'``, ``'U'`` or ``'b'``) side by side on ``axis``."""
    return K.concatenate([static(getattr(layer, prefix + '_' + g)) for g in gates], axis=axis)


class Recurrent(Layer):
    """Abstract recurrent layer: input (samples, timesteps, input_dim).

    Arguments: ``weights``, ``return_sequences`` (all outputs, else the last),
    ``go_backwards`` (process last to first; outputs stay in processing order),
    ``stateful`` (states carry from batch to batch; needs ``batch_input_shape``),
    ``unroll`` (a Python loop instead of a scan), ``consume_less``
    ('cpu'/'mem'/'gpu': weight layout), ``input_dim``, ``input_length``.
    """
    cell = None        # 'simple' | 'gru' | 'lstm'
    n_gates = 1
    n_states = 1
    # per-gate weights: the gates in the order Keras 1 creates them, and in the fused
    # loop's block order
    creation_order = block_order = None

    def __init__(self, weights=None, return_sequences=False, go_backwards=False, stateful=False,
                 unroll=False, consume_less='cpu', input_dim=None, input_length=None, **kwargs):
        if consume_less not in _CONSUME_LESS:
            raise ValueError('Layer %s: consume_less must be one of %s (Keras 2 implementation '
                             '0, 1, 2), got %r.' % (self.__class__.__name__, _CONSUME_LESS,
                                                    consume_less))
        self.return_sequences = return_sequences
        self.initial_weights = weights
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.consume_less = consume_less
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=3)]
        owner = 'Layer ' + self.__class__.__name__
        self.input_dim = None if input_dim is None else check_int_arg(input_dim, 'input_dim',
                                                                      owner)
        self.input_length = (None if input_length is None
                             else check_int_arg(input_length, 'input_length', owner))
        if self.input_dim:
            kwargs['input_shape'] = (self.input_length, self.input_dim)
        activity_regularizer = kwargs.pop('activity_regularizer', None)
        super(Recurrent, self).__init__(**kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    def _init_cell(self, params, **fixed):
        """The constructor of a built-in cell, from its ``locals()``: Keras 2 names are
        renamed and override the named parameters; ``fixed`` arguments go to ``_setup``
        as they are (SimpleRNN's ``inner_activation=None``)."""
        args = {k: v for k, v in params.items() if k not in ('self', 'kwargs', '__class__')}
        kwargs = keras2_recurrent_kwargs(params['kwargs'])
        take_named_args(kwargs, args, set(args) | set(CELL_CONSTRAINTS))
        if 'forget_bias_init' in args:  # LSTM
            self.forget_bias_init = initializations.get(args.pop('forget_bias_init'))
        self._setup(**dict(args, **fixed))
        Recurrent.__init__(self, **kwargs)

    def _setup(self, output_dim, init, inner_init, activation, inner_activation, W_regularizer,
               U_regularizer, b_regularizer, dropout_W, dropout_U, W_constraint=None,
               U_constraint=None, b_constraint=None):
        """Store the arguments the three cells share."""
        if output_dim is None:
            raise TypeError('%s needs `output_dim` (Keras 2: `units`).' % self.__class__.__name__)
        owner = 'Layer ' + self.__class__.__name__
        self.output_dim = check_int_arg(output_dim, 'output_dim', owner)
        self.init = initializations.get(init)
        self.inner_init = initializations.get(inner_init)
        self.activation = activations.get(activation)
        if inner_activation is not None:  # SimpleRNN has none
            self.inner_activation = activations.get(inner_activation)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.U_regularizer = regularizers.get(U_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.U_constraint = constraints.get(U_constraint)
        self.b_constraint = constraints.get(b_constraint)
        self.dropout_W = check_fraction_arg(dropout_W, 'dropout_W', owner)
        self.dropout_U = check_fraction_arg(dropout_U, 'dropout_U', owner)
        if self.dropout_W or self.dropout_U:
            self.uses_learning_phase = True

    # ------------------------------------------------------------------ shapes and masks
    def get_output_shape_for(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.output_dim)
        return (input_shape[0], self.output_dim)

    def compute_mask(self, input, mask=None):
        return mask if self.return_sequences else None

    def _start_build(self, input_shape):
        """Checks and state variables shared by every cell's build."""
        if len(input_shape) != 3:
            raise ValueError('Layer %s expects input of shape (samples, timesteps, input_dim), '
                             'got %s.' % (self.name, input_shape))
        if input_shape[2] is None:
            raise ValueError('Layer %s: the last dimension of the input (input_dim) must be known, '
                             'got input shape %s.' % (self.name, input_shape))
        self.input_spec = [InputSpec(shape=tuple(input_shape))]
        self.input_dim = input_shape[2]
        if self.stateful:
            self.reset_states()
        else:
            self.states = [None] * self.n_states

    def _add_fused_weights(self, bias_init='zero'):
        """``W, U, b`` with the gate blocks side by side (consume_less='gpu', SimpleRNN)."""
        n, d, k = self.output_dim, self.input_dim, self.n_gates
        self.W = self.add_weight((d, k * n), initializer=self.init, name='{}_W'.format(self.name),
                                 regularizer=self.W_regularizer, constraint=self.W_constraint)
        self.U = self.add_weight((n, k * n), initializer=self.inner_init,
                                 name='{}_U'.format(self.name), regularizer=self.U_regularizer,
                                 constraint=self.U_constraint)
        self.b = self.add_weight((k * n,), initializer=bias_init, name='{}_b'.format(self.name),
                                 regularizer=self.b_regularizer, constraint=self.b_constraint)

    def _add_gate_weights(self):
        """One ``W, U, b`` per gate (consume_less 'cpu'/'mem'); Keras 1 quirk: ``U_*`` use
        ``init`` and ``W_regularizer``."""
        n, d = self.output_dim, self.input_dim
        add_gate_weights(self, self.creation_order, (d, n), (n, n), (n,), self.init,
                         self.W_regularizer)

    def fused_weights(self):
        """``W, U, b`` with the gates side by side in the fused loop's block order."""
        if self.consume_less == 'gpu' or self.n_gates == 1:
            return static(self.W), static(self.U), static(self.b)
        return tuple(stacked_gate_weight(self, p, self.block_order) for p in 'WUb')

    def _finish_build(self):
        if self.initial_weights is not None:
            self.set_weights(self.initial_weights)
            del self.initial_weights
        self.built = True

    # ------------------------------------------------------------------ states
    def reset_states(self, states=None):
        """Zero the states of a stateful layer (or set them to ``states``, a list of arrays)."""
        if not self.stateful:
            raise AttributeError('Layer %s must be stateful to reset its states (pass '
                                 'stateful=True).' % self.name)
        input_shape = self.input_spec[0].shape
        batch = input_shape[0] if input_shape else None
        if not batch:
            raise ValueError('Layer %s: a stateful RNN needs to know its batch size. Give the '
                             'first layer a `batch_input_shape` (Sequential) or use '
                             '`Input(batch_shape=...)`; got input shape %s.'
                             % (self.name, input_shape))
        shape = (batch, self.output_dim)
        values = [np.zeros(shape) for _ in range(self.n_states)]
        if states is not None:
            states = states if isinstance(states, (list, tuple)) else [states]
            if len(states) != self.n_states:
                raise ValueError('Layer %s expects %d states, got %d.'
                                 % (self.name, self.n_states, len(states)))
            for value in states:
                if np.shape(value) != shape:
                    raise ValueError('Layer %s: expected a state of shape %s, got %s.'
                                     % (self.name, shape, np.shape(value)))
            values = states
        if getattr(self, 'states', None) and self.states[0] is not None:
            for var, value in zip(self.states, values):
                K.set_value(var, value)
        else:
            self.states = [K.variable(v, name='%s_state_%d' % (self.name, i))
                           for i, v in enumerate(values)]

    def get_initial_states(self, x):
        """Zeros (samples, output_dim), one per state."""
        # shaped from the batch axis alone, so JAX sees a static shape
        zero = K.expand_dims(K.cast(K.zeros_like(x[:, 0, 0]), K.floatx()))  # (samples, 1)
        state = K.tile(zero, (1, self.output_dim))
        count = len(self.states) if getattr(self, 'states', None) else self.n_states
        return [state for _ in range(count)]

    # ------------------------------------------------------------------ dropout
    def _dropout_masks(self, x, p, dim, count):
        """``count`` per-sequence dropout multipliers (samples, dim), identity at test time."""
        if not 0. < p < 1.:
            return None
        ones = K.tile(K.expand_dims(K.cast(K.ones_like(x[:, 0, 0]), K.floatx())), (1, dim))
        return [K.in_train_phase(K.dropout(ones, p), ones) for _ in range(count)]

    def input_dropout_masks(self, x):
        """Masks on the inputs: one per gate (cpu/mem), a single one (gpu)."""
        count = 1 if self.consume_less == 'gpu' else self.n_gates
        return self._dropout_masks(x, self.dropout_W, self.input_dim, count)

    def recurrent_dropout_masks(self, x):
        count = 1 if self.consume_less == 'gpu' else self.n_gates
        return self._dropout_masks(x, self.dropout_U, self.output_dim, count)

    # ------------------------------------------------------------------ the computation
    def input_projection(self, x, masks, W, b):
        """``x.W + b`` for every step, time-major (timesteps, samples, gates*output_dim)."""
        xt = K.permute_dimensions(x, (1, 0, 2))
        if not masks:
            return K.dot(xt, W) + b
        if len(masks) == 1:
            return K.dot(xt * K.expand_dims(masks[0], 0), W) + b
        n = self.output_dim
        parts = [K.dot(xt * K.expand_dims(m, 0), W[:, k * n:(k + 1) * n])
                 for k, m in enumerate(masks)]
        return K.concatenate(parts, axis=-1) + b

    def use_fused(self):
        """Whether the fused loop runs this layer: built-in activations and no unroll."""
        if self.unroll:
            return False
        act = fusable_name(self.activation)
        inner = fusable_name(getattr(self, 'inner_activation', activations.hard_sigmoid))
        return act is not None and inner is not None and K.rnn_sequence_supported(act, inner)

    def call(self, x, mask=None):
        input_shape = getattr(x, '_keras_shape', None) or K.int_shape(x)
        if self.unroll and input_shape[1] is None:
            raise ValueError('Layer %s: unroll=True needs a known number of timesteps; give the '
                             'layer an `input_length` (or a full `input_shape`); got input shape '
                             '%s.' % (self.name, input_shape))
        initial_states = list(self.states) if self.stateful else self.get_initial_states(x)
        if self.cell is None:
            # a Keras 1 style subclass: its own preprocess_input, step and constants
            last_output, outputs, states = K.rnn(
                self.step, self.preprocess_input(x), initial_states,
                go_backwards=self.go_backwards, mask=mask, constants=self.get_constants(x),
                unroll=self.unroll, input_length=input_shape[1])
            return self._finish_call(x, last_output, outputs, states)
        W, U, b = self.fused_weights()
        xp = self.input_projection(x, self.input_dropout_masks(x), W, b)
        recurrent_masks = self.recurrent_dropout_masks(x)
        if self.use_fused():
            last_output, outputs, states = K.rnn_sequence(
                self.cell, xp, U, initial_states, mask=mask, go_backwards=self.go_backwards,
                activation=fusable_name(self.activation),
                inner_activation=fusable_name(getattr(self, 'inner_activation',
                                                      activations.hard_sigmoid)),
                recurrent_masks=recurrent_masks, time_major=True)
        else:
            constants = [U] + list(recurrent_masks or [])
            last_output, outputs, states = K.rnn(
                self.step, K.permute_dimensions(xp, (1, 0, 2)), initial_states,
                go_backwards=self.go_backwards, mask=mask, constants=constants,
                unroll=self.unroll, input_length=input_shape[1])
        return self._finish_call(x, last_output, outputs, states)

    def _finish_call(self, x, last_output, outputs, states):
        if self.stateful:
            self.add_update([(var, new) for var, new in zip(self.states, states)], x)
        return outputs if self.return_sequences else last_output

    # the Keras 1 protocol for custom subclasses (cell = None)
    def preprocess_input(self, x):
        return x

    def get_constants(self, x):
        return []

    def step(self, x, states):
        raise NotImplementedError('A Recurrent subclass defines step(x, states) -> '
                                  '(output, new_states).')

    def recurrent_projection(self, h, U, masks, first, count):
        """``(h * mask_k) . U_k`` for gate blocks ``first .. first+count-1``, concatenated."""
        n = self.output_dim
        cols = slice(first * n, (first + count) * n)
        if not masks:
            return K.dot(h, U[:, cols])
        if len(masks) == 1:
            return K.dot(h * masks[0], U[:, cols])
        return K.concatenate([K.dot(h * masks[k], U[:, k * n:(k + 1) * n])
                              for k in range(first, first + count)], axis=-1)

    # ------------------------------------------------------------------ config
    def get_config(self):
        config = {'return_sequences': self.return_sequences, 'go_backwards': self.go_backwards,
                  'stateful': self.stateful, 'unroll': self.unroll,
                  'consume_less': self.consume_less}
        if self.stateful and self.input_spec and self.input_spec[0].shape:
            config['batch_input_shape'] = self.input_spec[0].shape
        else:
            config['input_dim'] = self.input_dim
            config['input_length'] = self.input_length
        base = super(Recurrent, self).get_config()
        return dict(list(base.items()) + list(config.items()))

    def _cell_config(self):
        """The keys SimpleRNN, GRU and LSTM share, Keras 1 names and order."""
        def cfg(obj):
            return obj.get_config() if obj is not None else None
        config = {'output_dim': self.output_dim, 'init': self.init.__name__,
                  'inner_init': self.inner_init.__name__,
                  'activation': self.activation.__name__}
        if hasattr(self, 'inner_activation'):
            config['inner_activation'] = self.inner_activation.__name__
        config.update({'W_regularizer': cfg(self.W_regularizer),
                       'U_regularizer': cfg(self.U_regularizer),
                       'b_regularizer': cfg(self.b_regularizer),
                       'dropout_W': self.dropout_W, 'dropout_U': self.dropout_U})
        for key in ('W_constraint', 'U_constraint', 'b_constraint'):
            if getattr(self, key) is not None:  # Keras 2 extension: only when used
                config[key] = getattr(self, key).get_config()
        if self.activity_regularizer is not None:
            config['activity_regularizer'] = self.activity_regularizer.get_config()
        return config
