"""Connectionist temporal classification (CTC) loss: Keras 1's ``K.ctc_*`` functions.

As in Keras 1, the blank is the *last* class of the predictions and
``predict`` holds probabilities (a softmax output), not logits. The forward
(alpha) recursion runs in log space over the label sequence with blanks
interleaved; unreachable states hold a large negative number instead of
-inf, so the gradient stays finite (no 0/0 in log-sum-exp).

>>> from keraslike import backend as K
>>> y_pred = K.placeholder(ndim=3)              # (samples, time, classes)
>>> labels = K.placeholder(ndim=2)              # (samples, max_label_length)
>>> lengths = K.placeholder(ndim=2, dtype='int32')
>>> loss = K.ctc_batch_cost(labels, y_pred, lengths, lengths)  # (samples, 1)
"""
import pytensor
import pytensor.tensor as pt

# log(0) stand-in: exp(NEG - m) underflows to 0 for any reachable state m
_NEG = -1e30


def _as_int(x):
    return x if x.dtype.startswith('int') else pt.cast(x, 'int32')


def ctc_interleave_blanks(Y):
    """Labels ``Y`` (length n) -> length 2n+1 with -1 (the blank) before, between and after."""
    Y = _as_int(pt.as_tensor_variable(Y))
    out = pt.alloc(pt.constant(-1, dtype=Y.dtype), Y.shape[0] * 2 + 1)
    return pt.set_subtensor(out[pt.arange(Y.shape[0]) * 2 + 1], Y)


def ctc_create_skip_idxs(Y):
    """Label positions ``s`` of an interleaved sequence from which a path may jump to
    ``s + 2`` over the blank: those whose next label differs (a repeat needs the blank)."""
    Y = pt.as_tensor_variable(Y)
    skip_idxs = pt.arange((Y.shape[0] - 3) // 2) * 2 + 1
    return skip_idxs[pt.neq(Y[skip_idxs], Y[skip_idxs + 2]).nonzero()]


def _logsumexp3(a, b, c):
    m = pt.maximum(pt.maximum(a, b), c)
    return pt.log(pt.exp(a - m) + pt.exp(b - m) + pt.exp(c - m)) + m


def ctc_cost(predict, Y):
    """CTC negative log-likelihood of one label sequence ``Y`` (ints, no blanks) under
    ``predict`` (time, classes) probabilities whose last class is the blank. A scalar."""
    predict = pt.as_tensor_variable(predict)
    extended = ctc_interleave_blanks(Y)                   # (S,), blanks are -1
    nb_states = extended.shape[0]
    classes = pt.switch(pt.lt(extended, 0), predict.shape[1] - 1, extended)
    # clipped so that a zero probability gives a large finite log, not -inf
    log_p = pt.log(pt.clip(predict[:, classes], 1e-30, 1.))  # (time, S)
    neg = pt.constant(_NEG, dtype=log_p.dtype)
    skip_to = pt.zeros((nb_states,), dtype='int8')
    skip_to = pt.set_subtensor(skip_to[ctc_create_skip_idxs(extended) + 2], 1)
    # a path starts on the first blank or on the first label
    alpha0 = pt.switch(pt.lt(pt.arange(nb_states), 2), log_p[0], neg)

    def step(log_p_t, alpha_prev, skip_to):
        padded = pt.concatenate([pt.stack([neg, neg]), alpha_prev])
        stay, advance, skip = padded[2:], padded[1:-1], padded[:-2]
        skip = pt.switch(skip_to, skip, neg)
        return _logsumexp3(stay, advance, skip) + log_p_t

    alphas, _ = pytensor.scan(step, sequences=[log_p[1:]], outputs_info=[alpha0],
                              non_sequences=[skip_to], return_list=False)
    alpha_last = pt.concatenate([alpha0[None, :], alphas])[-1]
    # a path ends on the last label or on the blank after it
    ends = pt.concatenate([pt.stack([neg]), alpha_last])[-2:]
    m = pt.max(ends)
    return -(pt.log(pt.sum(pt.exp(ends - m))) + m)


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """CTC loss of each sample: (samples, 1).

    ``y_true`` (samples, max_label_length) labels, ``y_pred`` (samples, time,
    classes) softmax outputs with the blank last, ``input_length`` and
    ``label_length`` (samples, 1): how many timesteps and labels of each
    sample count. Float inputs (Keras placeholders) are cast to integers.
    """
    y_true = _as_int(pt.as_tensor_variable(y_true))
    input_length = _as_int(pt.as_tensor_variable(input_length))
    label_length = _as_int(pt.as_tensor_variable(label_length))

    def one(labels, predict, n_steps, n_labels):
        return ctc_cost(predict[:n_steps[0]], labels[:n_labels[0]])

    costs, _ = pytensor.scan(one, sequences=[y_true, y_pred, input_length, label_length],
                             return_list=False)
    return pt.shape_padaxis(costs, 1)
