"""Recurrence: ``K.rnn`` on ``pytensor.scan`` (or a Python loop when unrolled).

Keras 1 semantics: the step function gets ``(input_t, states + constants)``
and returns ``(output_t, new_states)``; at a masked step the previous output
and states are carried over (the output before the first unmasked step is
zeros); with ``go_backwards`` the outputs come back in processing order.

>>> from keraslike import backend as K
>>> x = K.placeholder(shape=(None, 5, 3))
>>> h0 = K.zeros_like(x[:, 0, :])
>>> def step(x_t, states):
...     h = states[0] + x_t
...     return h, [h]
>>> last, outputs, states = K.rnn(step, x, [h0])     # running sums over time
"""
import inspect

import pytensor
import pytensor.tensor as pt

_SCAN_TAKES_RETURN_UPDATES = 'return_updates' in inspect.signature(pytensor.scan).parameters


def _time_major(x):
    """(samples, time, ...) -> (time, samples, ...)."""
    return x.dimshuffle([1, 0] + list(range(2, x.ndim)))


def _keep(mask_t, new, old):
    """``new`` where the step is unmasked, else ``old``; ``mask_t`` is (samples,)."""
    m = mask_t.dimshuffle([0] + ['x'] * (new.ndim - 1)) if new.ndim > 1 else mask_t
    return pt.switch(m, new, old)


def _prepare_mask(mask, ndim):
    """A boolean (time, samples) mask from a (samples, time[, 1...]) one."""
    if mask.ndim > 2:
        # Keras 1 accepts a mask expanded to the input's rank; the trailing axes are broadcast
        mask = mask.reshape((mask.shape[0], mask.shape[1]), ndim=2)
    if mask.dtype != 'bool':
        mask = pt.neq(mask, 0)
    return mask.T


def _scan(fn, sequences, outputs_info, non_sequences, go_backwards):
    kwargs = dict(sequences=sequences, outputs_info=outputs_info,
                  non_sequences=non_sequences, go_backwards=go_backwards, strict=False)
    if _SCAN_TAKES_RETURN_UPDATES:
        kwargs['return_updates'] = False
        results = pytensor.scan(fn, **kwargs)
    else:  # PyTensor < 3.1 returns (outputs, updates)
        results = pytensor.scan(fn, **kwargs)[0]
    return list(results) if isinstance(results, (list, tuple)) else [results]


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None):
    """Iterate ``step_function`` over the time axis (axis 1) of ``inputs``.

    Returns ``(last_output, outputs, new_states)``: the last output
    (samples, ...), all outputs (samples, time, ...) in processing order, and
    the final states. ``mask`` is (samples, time), boolean or 0/1.
    ``unroll=True`` builds a Python loop, which needs a known number of steps
    (``input_length`` or the static shape).
    """
    if inputs.ndim < 3:
        raise ValueError('K.rnn: the input should be at least 3D (samples, time, ...), got a '
                         '%dD tensor.' % inputs.ndim)
    constants = list(constants or [])
    initial_states = list(initial_states)
    xs = _time_major(inputs)
    ms = None if mask is None else _prepare_mask(mask, inputs.ndim)

    if unroll:
        return _unrolled(step_function, xs, ms, initial_states, constants, go_backwards,
                         input_length)

    n_states = len(initial_states)
    # Without a mask the output sequence is usually the first state's history:
    # recognising that spares scan a duplicate output.
    probe_out, probe_states = step_function(xs[0], initial_states + constants)
    out_is_state = (mask is None and n_states > 0 and len(probe_states) == n_states
                    and probe_out is probe_states[0])
    track_output = mask is not None or not out_is_state
    outputs_info = list(initial_states)
    if track_output:
        # zeros shaped like the output (the rewriter turns this into an Alloc
        # that does not depend on the probe's computation)
        outputs_info = [pt.zeros_like(probe_out)] + outputs_info

    def body(*args):
        args = list(args)
        x_t = args.pop(0)
        m_t = args.pop(0) if ms is not None else None
        prev_out = args.pop(0) if track_output else None
        states = args[:n_states]
        consts = args[n_states:]
        out, new_states = step_function(x_t, states + consts)
        new_states = list(new_states)
        if len(new_states) != n_states:
            raise ValueError('K.rnn: the step function returned %d states, expected %d.'
                             % (len(new_states), n_states))
        # keep the declared dtypes/broadcasting so scan accepts the recurrence
        new_states = [pt.cast(s, old.dtype) if s.dtype != old.dtype else s
                      for s, old in zip(new_states, states)]
        if m_t is not None:
            out = _keep(m_t, out, prev_out)
            new_states = [_keep(m_t, s, old) for s, old in zip(new_states, states)]
        if track_output:
            return [out] + new_states
        return new_states

    sequences = [xs] if ms is None else [xs, ms]
    results = _scan(body, sequences, outputs_info, constants, go_backwards)
    if track_output:
        outputs, state_seqs = results[0], results[1:]
    else:
        outputs, state_seqs = results[0], results
    last_output = outputs[-1]
    new_states = [s[-1] for s in state_seqs]
    return last_output, _time_major(outputs), new_states


def _unrolled(step_function, xs, ms, states, constants, go_backwards, input_length):
    n_steps = input_length if input_length is not None else xs.type.shape[0]
    if n_steps is None:
        raise ValueError('K.rnn(unroll=True) needs a known number of timesteps: pass '
                         '`input_length` or give the input a static time dimension.')
    steps = range(n_steps - 1, -1, -1) if go_backwards else range(n_steps)
    outputs = []
    prev_out = None
    for t in steps:
        out, new_states = step_function(xs[t], list(states) + constants)
        new_states = list(new_states)
        if ms is not None:
            if prev_out is None:
                prev_out = pt.zeros_like(out)
            out = _keep(ms[t], out, prev_out)
            new_states = [_keep(ms[t], s, old) for s, old in zip(new_states, states)]
        prev_out = out
        states = new_states
        outputs.append(out)
    stacked = pt.stack(outputs, axis=1)
    return outputs[-1], stacked, list(states)
