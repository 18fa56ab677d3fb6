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


def _positions(x, axis):
    """0, 1, 2, ... along ``axis`` of ``x``'s shape (int32), without ``arange``: JAX
    compiles ``arange`` only with constant bounds, and these come from input shapes."""
    return pt.cast(pt.cumsum(pt.ones_like(x, dtype='int32'), axis=axis) - 1, 'int32')


def _two_columns(x, value):
    """(rows, 2) filled with ``value``, shaped from ``x``'s first column (which exists even
    when ``x`` has one: an empty label sequence has one state)."""
    first = pt.full_like(x[:, :1], value)
    return pt.concatenate([first, first], axis=1)


def _ctc_batch(y_true, y_pred, input_length, label_length):
    """CTC loss of each sample, (samples,), with every sample in one forward recursion.

    Vectorised over the batch with masks instead of per-sample slices: one scan over
    time, no data-dependent shapes, so JAX traces it and every mode compiles it quickly.
    Labels past ``label_length`` become blanks and states past ``2 * label_length`` never
    feed earlier ones; steps past ``input_length`` leave alpha as it was.
    """
    blank = y_pred.shape[2] - 1
    # one spare (masked) label column: with no labels at all there would be a single
    # state, whose length-1 axis PyTensor may treat as broadcastable inside the scan
    y_true = pt.concatenate([y_true, pt.zeros_like(label_length[:, None])], axis=1)
    labels = pt.switch(pt.lt(_positions(y_true, 1), label_length[:, None]), y_true, blank)
    blanks = pt.full_like(labels, blank)
    pairs = pt.stack([blanks, labels], axis=2).reshape((labels.shape[0], 2 * labels.shape[1]))
    extended = pt.concatenate([pairs, pt.full_like(label_length[:, None], blank)], axis=1)
    classes = _positions(y_pred[0, 0], 0)
    one_hot = pt.cast(pt.eq(extended[:, :, None], classes[None, None, :]), y_pred.dtype)
    # clipped so that a zero probability gives a large finite log, not -inf
    log_p = pt.log(pt.clip(pt.matmul(y_pred, one_hot.dimshuffle(0, 2, 1)), 1e-30, 1.))
    neg = pt.constant(_NEG, dtype=log_p.dtype)
    # a path may jump over the blank before s when the label at s differs from s - 2
    before = pt.concatenate([_two_columns(extended, -2), extended[:, :-2]], axis=1)
    skip_to = pt.and_(pt.neq(extended, blank), pt.neq(extended, before))
    # a path starts on the first blank or on the first label
    states = _positions(extended, 1)
    alpha0 = pt.switch(pt.lt(states, 2), log_p[:, 0], neg)
    steps = _positions(y_pred[0, :, 0], 0)

    def step(log_p_t, t, alpha_prev):
        padded = pt.concatenate([_two_columns(alpha_prev, _NEG), alpha_prev], axis=1)
        advance, skip = padded[:, 1:-1], pt.switch(skip_to, padded[:, :-2], neg)
        alpha = _logsumexp3(alpha_prev, advance, skip) + log_p_t
        return pt.switch(pt.lt(t, input_length)[:, None], alpha, alpha_prev)

    alphas = pytensor.scan(step, sequences=[log_p.dimshuffle(1, 0, 2)[1:], steps[1:]],
                           outputs_info=[alpha0], return_list=True)[0]
    alphas = alphas[0] if isinstance(alphas, (list, tuple)) else alphas
    alpha_last = pt.concatenate([alpha0[None], alphas], axis=0)[-1]
    # a path ends on the last label or on the blank after it (gathered by masks: no arange)
    end_blank = pt.switch(pt.eq(states, 2 * label_length[:, None]), alpha_last, 0).sum(axis=1)
    end_label = pt.switch(pt.and_(pt.eq(states, 2 * label_length[:, None] - 1),
                                  pt.gt(label_length, 0)[:, None]),
                          alpha_last, 0).sum(axis=1)
    end_label = pt.switch(pt.gt(label_length, 0), end_label, neg)
    m = pt.maximum(end_blank, end_label)
    return -(pt.log(pt.exp(end_blank - m) + pt.exp(end_label - m)) + m)


def ctc_cost(predict, Y):
    """CTC negative log-likelihood of one label sequence ``Y`` (ints, no blanks) under
    ``predict`` (time, classes) probabilities whose last class is the blank. A scalar."""
    predict = pt.as_tensor_variable(predict)
    Y = _as_int(pt.as_tensor_variable(Y))
    steps = pt.shape_padleft(predict.shape[0]).astype('int32')
    count = pt.shape_padleft(Y.shape[0]).astype('int32')
    return _ctc_batch(Y[None], predict[None], steps, count)[0]


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """CTC loss of each sample: (samples, 1).

    ``y_true`` (samples, max_label_length) labels, ``y_pred`` (samples, time,
    classes) softmax outputs with the blank last, ``input_length`` and
    ``label_length`` (samples, 1): how many timesteps and labels of each
    sample count. Float inputs (Keras placeholders) are cast to integers.
    """
    y_true = _as_int(pt.as_tensor_variable(y_true))
    input_length = _as_int(pt.as_tensor_variable(input_length))[:, 0]
    label_length = _as_int(pt.as_tensor_variable(label_length))[:, 0]
    costs = _ctc_batch(y_true, pt.as_tensor_variable(y_pred), input_length, label_length)
    return pt.shape_padaxis(costs, 1)
