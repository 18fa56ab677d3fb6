"""Fused recurrent loops: one PyTensor Op per LSTM/GRU/SimpleRNN sequence.

``K.rnn`` builds a ``scan`` from any step function. For the three built-in
cells this module offers a faster path, ``K.rnn_sequence``: the whole loop is
one Op whose forward and backward passes are Numba kernels
(``rnn_numba``); the forward saves the gate values so the backward pass
recomputes nothing, and the recurrent-weight gradient is one GEMM. The kernels
are compiled once per machine (Numba's disk cache), not per model, so a new
model compiles much faster than with scan. The NUMBA, C and FAST_COMPILE
modes run the kernels; JAX mode runs ``lax.scan`` versions (``rnn_jax``).

>>> import numpy as np
>>> from keraslike import backend as K
>>> xp = K.placeholder(shape=(None, 5, 8))        # input projections, 4 gates x 2 units
>>> U = K.variable(np.zeros((2, 8)))
>>> h0 = c0 = K.zeros_like(xp[:, 0, :2])
>>> last, outputs, states = K.rnn_sequence('lstm', xp, U, [h0, c0])
"""
import functools
import importlib.util

import numpy as np
import pytensor.tensor as pt
from pytensor.gradient import DisconnectedType, disconnected_type
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op

from ..runtime.modes import mode
from ..runtime.op_registry import ensure_registered, register_op

# cell -> (gate blocks, states)
CELLS = {'lstm': (4, 2), 'gru': (3, 1), 'simple': (1, 1)}
ACTIVATIONS = ('linear', 'tanh', 'sigmoid', 'hard_sigmoid', 'relu')  # index = kernel code


def _code(name):
    return ACTIVATIONS.index(name)


def _kernel(cell, direction):
    from . import rnn_numba  # imports numba: only when a loop first runs
    return getattr(rnn_numba, '%s_%s' % (cell, direction))


def _available(module):
    return importlib.util.find_spec(module) is not None


def _tensor3(dtype):
    return pt.tensor(dtype=dtype, shape=(None, None, None))


class _RNNOp(Op):
    """What the loop and its gradient share: the cell, its activation codes, the kernels."""
    __props__ = ('cell', 'act', 'inner')
    direction = None   # which kernel runs: 'forward' or 'backward'

    def __init__(self, cell, act, inner):
        self.cell, self.act, self.inner = cell, int(act), int(inner)
        self.n_states = CELLS[cell][1]

    def kernel(self):
        return functools.partial(_run_kernels, self.cell, self.direction, self.act, self.inner)

    def perform(self, node, inputs, output_storage):
        for storage, value in zip(output_storage, self.kernel()(*inputs)):
            storage[0] = value


class RNNLoop(_RNNOp):
    """Run a ``cell`` over time-major input projections.

    Inputs: xp (time, samples, gates*units), U (units, gates*units), the
    initial states (samples, units), mask (time, samples) or empty, recurrent
    dropout masks (groups, samples, units) or empty. Outputs: every state's
    sequence (time, samples, units), then what the backward pass needs (LSTM:
    gate values and act(c), 5*units wide; GRU: gate values; SimpleRNN: the
    pre-activations). Only the state sequences are differentiable outputs.
    """
    direction = 'forward'

    def make_node(self, xp, U, *rest):
        inputs = [pt.as_tensor_variable(v) for v in (xp, U) + rest]
        if len(inputs) != 4 + self.n_states:
            raise TypeError('RNNLoop(%s) takes %d inputs, got %d.'
                            % (self.cell, 4 + self.n_states, len(inputs)))
        ensure_registered()
        dtype = inputs[0].dtype
        outputs = [_tensor3(dtype) for _ in range(self.n_states + 1)]
        return Apply(self, inputs, outputs)

    def infer_shape(self, *args):
        # (node, shapes) in PyTensor >= 3.2, (fgraph, node, shapes) before
        shapes = args[-1]
        xp_shape, u_shape = shapes[0], shapes[1]
        state = (xp_shape[0], xp_shape[1], u_shape[0])
        saved = (xp_shape[0], xp_shape[1], 5 * u_shape[0]) if self.cell == 'lstm' else xp_shape
        return [state] * self.n_states + [saved]

    def connection_pattern(self, node):
        n_out = self.n_states + 1
        connected = 2 + self.n_states
        return [[i < connected] * n_out for i in range(len(node.inputs))]

    def pullback(self, inputs, outputs, output_grads):
        n = self.n_states
        if not isinstance(output_grads[n].type, DisconnectedType):
            raise NotImplementedError('The saved-values output of RNNLoop is not '
                                      'differentiable.')
        # an unused state sequence gets an empty gradient (read as zeros), not an
        # Alloc whose shape depends on the weights (JAX cannot trace that)
        state_grads = [pt.constant(np.zeros((0, 0, 0), o.dtype))
                       if isinstance(g.type, DisconnectedType) else g
                       for o, g in zip(outputs[:n], output_grads[:n])]
        U = inputs[1]
        initial, mask, bu = inputs[2:2 + n], inputs[2 + n], inputs[3 + n]
        grads = RNNLoopGrad(self.cell, self.act, self.inner)(
            outputs[n], *outputs[:n], U, *initial, mask, bu, *state_grads)
        return list(grads) + [disconnected_type(), disconnected_type()]

    L_op = pullback  # the name PyTensor < 3.2 calls


class RNNLoopGrad(_RNNOp):
    """Backward pass of :class:`RNNLoop`: (dxp, dU, d initial states)."""
    direction = 'backward'

    def make_node(self, *inputs):
        inputs = [pt.as_tensor_variable(v) for v in inputs]
        ensure_registered()
        dtype = inputs[0].dtype
        n = self.n_states
        outputs = [_tensor3(dtype), pt.tensor(dtype=dtype, shape=(None, None))]
        outputs += [pt.tensor(dtype=dtype, shape=(None, None)) for _ in range(n)]
        return Apply(self, inputs, outputs)

    def infer_shape(self, *args):
        shapes = args[-1]
        n = self.n_states
        saved_shape, u_shape = shapes[0], shapes[1 + n]
        dxp_shape = (saved_shape[0], saved_shape[1], u_shape[1])
        return [dxp_shape, u_shape] + [shapes[2 + n + i] for i in range(n)]


def run_kernel(cell, direction, act, inner, inputs):
    """Run a kernel on C-contiguous writable arrays, so Numba compiles one signature per dtype."""
    arrays = [np.require(a, requirements=['C', 'W']) for a in inputs]
    if direction == 'backward':
        # empty state gradients (unused outputs) are zeros shaped like the states
        n = CELLS[cell][1]
        states = arrays[1:1 + n]
        arrays[-n:] = [g if g.size else np.zeros_like(st) for g, st in zip(arrays[-n:], states)]
    return _kernel(cell, direction)(*arrays, act, inner, arrays[0].dtype == np.float32)


def _run_kernels(cell, direction, act, inner, *inputs):
    return run_kernel(cell, direction, act, inner, inputs)


def _jax_loop(op, node):
    from . import rnn_jax   # imports jax: only when a JAX function is compiled
    return rnn_jax.forward(op.cell, op.act, op.inner)


def _jax_loop_grad(op, node):
    from . import rnn_jax
    return rnn_jax.backward(op.cell, op.act, op.inner)


# NUMBA mode trains imdb_lstm 1.3x faster than XLA's CPU loop (see modes.choose_mode).
# The NUMBA mode calls the (disk-cached) kernels through an object-mode block: calling
# them as jitted functions would make Numba re-optimise the whole kernel into every new
# graph (tens of seconds each); the object-mode hop costs microseconds per call.
register_op(RNNLoop, _jax_loop, cpu_kernel=True, threaded=False)
register_op(RNNLoopGrad, _jax_loop_grad, cpu_kernel=True, threaded=False)


def rnn_sequence_supported(activation='tanh', inner_activation='hard_sigmoid'):
    """Whether :func:`rnn_sequence` runs these activations (by name) in the current mode."""
    runner = 'jax' if mode() == 'JAX' else 'numba'
    return (_available(runner) and activation in ACTIVATIONS
            and inner_activation in ACTIVATIONS)


def rnn_sequence(cell, xp, U, initial_states, mask=None, go_backwards=False,
                 activation='tanh', inner_activation='hard_sigmoid', recurrent_masks=None,
                 time_major=False):
    """A whole ``'lstm'``, ``'gru'`` or ``'simple'`` recurrence as one fused Op.

    ``xp`` (samples, time, gates*units) are the input projections ``x.W + b``
    (gate blocks LSTM i,f,c,o; GRU z,r,h); ``U`` (units, gates*units) the
    recurrent weights; ``initial_states`` [h] or [h, c]; ``recurrent_masks``
    one (samples, units) multiplier for all gates, or one per gate block
    (recurrent dropout). Returns ``(last_output, outputs, new_states)`` with
    the semantics of :func:`rnn` (masks carry states; outputs in processing
    order). With ``time_major`` ``xp`` is (time, samples, gates*units), which
    spares a copy when the projection is computed time-major; ``mask`` stays
    (samples, time) and the outputs (samples, time, units) either way.
    """
    if cell not in CELLS:
        raise ValueError('Unknown recurrent cell %r; expected one of %s.' % (cell, sorted(CELLS)))
    gates, n_states = CELLS[cell]
    if len(initial_states) != n_states:
        raise ValueError('A %s needs %d initial states, got %d.'
                         % (cell, n_states, len(initial_states)))
    dtype = xp.dtype
    xs = xp if time_major else xp.dimshuffle(1, 0, 2)
    if go_backwards:
        xs = xs[::-1]
    states = [pt.cast(s, dtype) for s in initial_states]
    if mask is None:
        mask_tm = pt.constant(np.zeros((0, 0), dtype))
    else:
        if mask.ndim > 2:
            mask = mask.reshape((mask.shape[0], mask.shape[1]), ndim=2)
        mask_tm = pt.cast(pt.neq(mask, 0), dtype).T
        if go_backwards:
            mask_tm = mask_tm[::-1]
    if recurrent_masks:
        if len(recurrent_masks) not in (1, gates):
            raise ValueError('recurrent_masks: expected 1 or %d masks for a %s, got %d.'
                             % (gates, cell, len(recurrent_masks)))
        bu = pt.stack([pt.cast(m, dtype) for m in recurrent_masks])
    else:
        bu = pt.constant(np.zeros((0, 0, 0), dtype))
    op = RNNLoop(cell, _code(activation), _code(inner_activation))
    results = op(xs, pt.cast(U, dtype), *states, mask_tm, bu)
    state_seqs = results[:n_states]
    outputs = state_seqs[0]
    if mask is not None:
        # before the first unmasked step Keras emits zeros, whatever the initial state
        seen = pt.gt(pt.cumsum(mask_tm, axis=0), 0)
        outputs = outputs * pt.cast(seen, dtype).dimshuffle(0, 1, 'x')
    return outputs[-1], outputs.dimshuffle(1, 0, 2), [s[-1] for s in state_seqs]
