"""K.rnn (scan / unrolled) and K.rnn_sequence (fused loops) against step-by-step NumPy.

The NumPy references here (``np_rnn`` and the cell steps) are Keras 1's
semantics written out directly; test_recurrent.py and
test_embeddings_wrappers.py reuse them. Each test compiles one function that
computes many variants at once (compiles are the slow part).
"""
import importlib.util

import numpy as np
import pytest

from keraslike import backend as K

RNG = np.random.RandomState(7)
T, B, D, H = 5, 3, 4, 3
# the fused loops run as Numba kernels (FAST_COMPILE/NUMBA/C) or lax.scan (JAX)
FUSED_MODES = ['FAST_COMPILE'] + (['JAX'] if importlib.util.find_spec('jax') else [])


# ------------------------------------------------------------------ NumPy references
def np_act(name):
    return {'tanh': np.tanh, 'linear': lambda x: x, 'relu': lambda x: np.maximum(x, 0.),
            'sigmoid': lambda x: 1. / (1. + np.exp(-x)),
            'hard_sigmoid': lambda x: np.clip(0.2 * x + 0.5, 0., 1.),
            'softsign': lambda x: x / (1. + np.abs(x))}[name]


def np_rnn(step, x, states, mask=None, go_backwards=False):
    """Keras 1's K.rnn, one step at a time: masked steps repeat the previous output and
    states (zeros before the first unmasked step); outputs in processing order."""
    steps = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    outputs, prev = [], None
    for t in steps:
        out, new_states = step(x[:, t], states)
        if prev is None:
            prev = np.zeros_like(out)
        if mask is not None:
            keep = mask[:, t].astype(bool)[:, None]
            out = np.where(keep, out, prev)
            new_states = [np.where(keep, n, s) for n, s in zip(new_states, states)]
        outputs.append(out)
        prev, states = out, new_states
    return outputs[-1], np.stack(outputs, axis=1), states


def _rec(h, U, masks, k, n):
    """(h * mask_k) . U[:, block k] (masks: None, one shared, or one per block)."""
    m = 1. if not masks else masks[k if len(masks) > 1 else 0]
    return (h * m).dot(U[:, k * n:(k + 1) * n])


def lstm_step(U, act='tanh', inner='hard_sigmoid', masks=None):
    """x_t holds the input projections, blocks i, f, c, o."""
    a, s = np_act(act), np_act(inner)

    def step(x, states):
        h, c = states
        n = h.shape[1]
        i = s(x[:, :n] + _rec(h, U, masks, 0, n))
        f = s(x[:, n:2 * n] + _rec(h, U, masks, 1, n))
        c = f * c + i * a(x[:, 2 * n:3 * n] + _rec(h, U, masks, 2, n))
        o = s(x[:, 3 * n:] + _rec(h, U, masks, 3, n))
        h = o * a(c)
        return h, [h, c]
    return step


def gru_step(U, act='tanh', inner='hard_sigmoid', masks=None):
    """Blocks z, r, h; the h block's recurrent input is r * h."""
    a, s = np_act(act), np_act(inner)

    def step(x, states):
        h = states[0]
        n = h.shape[1]
        z = s(x[:, :n] + _rec(h, U, masks, 0, n))
        r = s(x[:, n:2 * n] + _rec(h, U, masks, 1, n))
        hh = a(x[:, 2 * n:] + _rec(r * h, U, masks, 2, n))
        h = z * h + (1. - z) * hh
        return h, [h]
    return step


def simple_step(U, act='tanh', masks=None):
    a = np_act(act)

    def step(x, states):
        h = a(x + _rec(states[0], U, masks, 0, U.shape[1]))
        return h, [h]
    return step


STEPS = {'lstm': lstm_step, 'gru': gru_step, 'simple': lambda U, act, inner, masks:
         simple_step(U, act, masks)}
GATES = {'lstm': 4, 'gru': 3, 'simple': 1}


def data(seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, (B, T, D)).astype('float32')
    mask = np.ones((B, T), 'float32')
    mask[0, :2] = 0      # pre-padding
    mask[1, 3] = 0       # a hole
    mask[2, :] = 0       # fully masked
    return x, mask


# ------------------------------------------------------------------ K.rnn (scan and unrolled)
@pytest.fixture(scope='module')
def rnn_results():
    """One function: a tanh RNN through K.rnn for every (go_backwards, mask, unroll)."""
    W = RNG.uniform(-.5, .5, (D, H)).astype('float32')
    U = RNG.uniform(-.5, .5, (H, H)).astype('float32')
    h_init = RNG.uniform(-.5, .5, (B, H)).astype('float32')
    x = K.placeholder(shape=(None, T, D))
    m = K.placeholder(shape=(None, T))
    h0 = K.placeholder(shape=(None, H))
    Wv, Uv = K.variable(W), K.variable(U)

    def step(x_t, states):
        h = K.tanh(K.dot(x_t, states[1]) + K.dot(states[0], Uv))
        return h, [h]
    variants, outputs = [], []
    for go_backwards in (False, True):
        for masked in (False, True):
            for unroll in (False, True):
                last, outs, states = K.rnn(step, x, [h0], go_backwards=go_backwards,
                                           mask=m if masked else None, constants=[Wv],
                                           unroll=unroll, input_length=T)
                variants.append((go_backwards, masked, unroll))
                outputs += [last, outs, states[0]]
    f = K.function([x, m, h0], outputs)
    xv, mv = data()
    values = f([xv, mv, h_init])

    def ref_step(x_t, states):
        h = np.tanh(x_t.dot(W) + states[0].dot(U))
        return h, [h]
    return variants, values, (xv, mv, h_init, ref_step)


def test_rnn_matches_numpy_in_every_variant(rnn_results):
    variants, values, (xv, mv, h_init, ref_step) = rnn_results
    for i, (go_backwards, masked, unroll) in enumerate(variants):
        last, outs, states = np_rnn(ref_step, xv, [h_init], mv if masked else None,
                                    go_backwards)
        got = values[3 * i:3 * i + 3]
        for name, expected, value in zip(('last', 'outputs', 'state'),
                                         (last, outs, states[0]), got):
            np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6,
                                       err_msg='%s for %s' % (name, variants[i]))


def test_rnn_masking_semantics(rnn_results):
    """Leading masked steps emit zeros even with a nonzero initial state; a fully masked
    sequence keeps its initial state; go_backwards returns outputs in processing order."""
    variants, values, (xv, mv, h_init, ref_step) = rnn_results
    i = variants.index((False, True, False))
    last, outs, state = values[3 * i:3 * i + 3]
    assert np.all(outs[0, :2] == 0.) and np.all(outs[2] == 0.)
    np.testing.assert_allclose(state[2], h_init[2], rtol=1e-6)
    np.testing.assert_allclose(outs[1, 3], outs[1, 2], rtol=1e-6)  # the hole repeats
    j = variants.index((True, False, False))
    back = values[3 * j + 1]
    # the first processed step sees only the last input
    np.testing.assert_allclose(back[:, 0], ref_step(xv[:, -1], [h_init])[0], rtol=1e-5)


def test_rnn_errors():
    with pytest.raises(ValueError, match='at least 3D'):
        K.rnn(lambda x, s: (x, s), K.placeholder(shape=(None, 3)), [])
    x = K.placeholder(ndim=3)  # unknown number of steps
    with pytest.raises(ValueError, match='known number of timesteps'):
        K.rnn(lambda x_t, s: (x_t, [x_t]), x, [K.zeros_like(x[:, 0])], unroll=True)


# ------------------------------------------------------------------ K.rnn_sequence (fused)
def _sequence_graph(cell, act='tanh', inner='hard_sigmoid', seed=1):
    """Variables, the (go_backwards, mask, dropout groups) variants and their outputs."""
    rng = np.random.RandomState(seed)
    G = GATES[cell]
    W = rng.uniform(-.6, .6, (D, G * H)).astype('float32')
    U = rng.uniform(-.6, .6, (H, G * H)).astype('float32')
    b = rng.uniform(-.3, .3, (G * H,)).astype('float32')
    n_states = 2 if cell == 'lstm' else 1
    init = [rng.uniform(-.5, .5, (B, H)).astype('float32') for _ in range(n_states)]
    drop = [(rng.rand(B, H) > .3).astype('float32') / .7 for _ in range(G)]
    x = K.placeholder(shape=(None, T, D))
    m = K.placeholder(shape=(None, T))
    s0 = [K.placeholder(shape=(None, H)) for _ in range(n_states)]
    Wv, Uv, bv = K.variable(W), K.variable(U), K.variable(b)
    # static weight shapes, as the layers give them (JAX needs them)
    Ws, Us = K.reshape(Wv, (D, G * H)), K.reshape(Uv, (H, G * H))
    xp = K.dot(x, Ws) + bv
    variants, outputs = [], []
    for go_backwards in (False, True):
        for masked in (False, True):
            for groups in sorted({0, 1, G}):
                masks = [K.constant(d) for d in drop[:groups]] if groups else None
                last, outs, states = K.rnn_sequence(
                    cell, xp, Us, s0, mask=m if masked else None, go_backwards=go_backwards,
                    activation=act, inner_activation=inner, recurrent_masks=masks)
                variants.append((go_backwards, masked, groups))
                outputs += [last, outs] + list(states)
    values = dict(W=W, U=U, b=b, init=init, drop=drop)
    return (x, m, s0), (Wv, Uv, bv), variants, outputs, values


@pytest.fixture(scope='module', params=FUSED_MODES)
def sequence_results(request):
    mode = request.param
    results = {}
    for cell, act, inner in (('lstm', 'tanh', 'hard_sigmoid'), ('gru', 'relu', 'sigmoid'),
                             ('simple', 'tanh', 'hard_sigmoid')):
        (x, m, s0), _, variants, outputs, values = _sequence_graph(cell, act, inner)
        f = K.function([x, m] + s0, outputs, mode=mode)
        xv, mv = data(3)
        results[cell] = (act, inner, variants, f([xv, mv] + values['init']), values, xv, mv)
    return mode, results


@pytest.mark.parametrize('cell', ['lstm', 'gru', 'simple'])
def test_rnn_sequence_matches_numpy(sequence_results, cell):
    mode, results = sequence_results
    act, inner, variants, got, values, xv, mv = results[cell]
    xp = xv.dot(values['W']) + values['b']
    per = 2 + len(values['init'])
    for i, (go_backwards, masked, groups) in enumerate(variants):
        masks = values['drop'][:groups] if groups else None
        step = STEPS[cell](values['U'], act, inner, masks)
        last, outs, states = np_rnn(step, xp, list(values['init']), mv if masked else None,
                                    go_backwards)
        expected = [last, outs] + list(states)
        for k, (e, g) in enumerate(zip(expected, got[per * i:per * (i + 1)])):
            np.testing.assert_allclose(g, e, rtol=2e-5, atol=2e-6,
                                       err_msg='%s %s output %d, variant %s'
                                       % (mode, cell, k, variants[i]))


@pytest.mark.parametrize('mode', FUSED_MODES)
def test_rnn_sequence_gradients_match_scan(mode):
    """Gradients of the fused LSTM equal PyTensor's own gradient of the scan (K.rnn)."""
    (x, m, s0), (Wv, Uv, bv), variants, outputs, values = _sequence_graph('lstm')
    drop = [K.constant(d) for d in values['drop']]
    step_U = K.reshape(Uv, (H, 4 * H))

    def step(x_t, states):
        # tensors the step uses come in as constants (JAX cannot differentiate a scan
        # through captured free variables)
        h, c, U, masks = states[0], states[1], states[2], states[3:]
        n = H
        z = x_t + K.concatenate([K.dot(h * masks[k], U[:, k * n:(k + 1) * n])
                                 for k in range(4)])
        i, f, o = (K.hard_sigmoid(z[:, k * n:(k + 1) * n]) for k in (0, 1, 3))
        c = f * c + i * K.tanh(z[:, 2 * n:3 * n])
        h = o * K.tanh(c)
        return h, [h, c]
    xp = K.dot(x, K.reshape(Wv, (D, 4 * H))) + bv
    fused = K.rnn_sequence('lstm', xp, step_U, s0, mask=m, go_backwards=True,
                           recurrent_masks=drop)
    scanned = K.rnn(step, xp, s0, mask=m, go_backwards=True, constants=[step_U] + drop)
    params = [Wv, Uv, bv] + s0
    grads = []
    for last, outs, states in (fused, scanned):
        loss = K.sum(K.square(outs)) + K.sum(last) + K.sum(states[1] * 0.5)
        grads += K.gradients(loss, params)
    f = K.function([x, m] + s0, grads, mode=mode)
    xv, mv = data(4)
    got = f([xv, mv] + values['init'])
    n = len(params)
    for name, a, e in zip(('W', 'U', 'b', 'h0', 'c0'), got[:n], got[n:]):
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-5, err_msg=name)
    assert np.abs(got[1]).max() > 1e-3  # a real gradient


@pytest.mark.parametrize('cell', ['lstm', 'gru', 'simple'])
def test_rnn_sequence_gradient_finite_differences(cell):
    """d(loss)/dU of the fused loop against central differences (float32, smooth cell)."""
    (x, m, s0), (Wv, Uv, bv), variants, outputs, values = _sequence_graph(cell, 'tanh',
                                                                          'sigmoid', seed=5)
    G = GATES[cell]
    xp = K.dot(x, K.reshape(Wv, (D, G * H))) + bv
    last, outs, states = K.rnn_sequence(cell, xp, K.reshape(Uv, (H, G * H)), s0, mask=m,
                                        activation='tanh', inner_activation='sigmoid')
    loss = K.sum(outs * K.constant(np.linspace(-1, 1, T * H).reshape(1, T, H)))
    f = K.function([x, m] + s0, [loss] + K.gradients(loss, [Uv, bv]), mode='FAST_COMPILE')
    xv, mv = data(6)
    ins = [xv, mv] + values['init']
    _, dU, db = f(ins)
    U0, eps = values['U'].astype('float64'), 1e-2
    for (i, j) in [(0, 0), (1, G * H - 1), (2, (G * H) // 2)]:
        for sign in (1, -1):
            U = U0.copy()
            U[i, j] += sign * eps
            K.set_value(Uv, U)
            if sign == 1:
                plus = f(ins)[0]
            else:
                minus = f(ins)[0]
        numeric = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(dU[i, j], numeric, rtol=2e-2, atol=2e-3,
                                   err_msg='%s dU[%d, %d]' % (cell, i, j))
    K.set_value(Uv, U0)
    assert np.abs(dU).max() > 1e-2 and np.abs(db).max() > 1e-2


def test_rnn_sequence_rejects_bad_arguments():
    xp = K.placeholder(shape=(None, T, 4 * H))
    U = K.variable(np.zeros((H, 4 * H)))
    h0 = K.placeholder(shape=(None, H))
    with pytest.raises(ValueError, match='Unknown recurrent cell'):
        K.rnn_sequence('rnn', xp, U, [h0])
    with pytest.raises(ValueError, match='needs 2 initial states'):
        K.rnn_sequence('lstm', xp, U, [h0])
    with pytest.raises(ValueError, match='recurrent_masks'):
        K.rnn_sequence('lstm', xp, U, [h0, h0], recurrent_masks=[h0, h0])
    assert K.rnn_sequence_supported('tanh', 'hard_sigmoid')
    assert not K.rnn_sequence_supported('softsign', 'hard_sigmoid')


def test_rnn_sequence_batch_mismatch_is_a_clear_error():
    """A state for another batch size (a stateful layer fed the wrong batch) is named."""
    xp = K.placeholder(shape=(None, T, H))
    h0 = K.variable(np.zeros((2, H)))
    last, _, _ = K.rnn_sequence('simple', xp, K.variable(np.eye(H)), [h0])
    f = K.function([xp], [last], mode='FAST_COMPILE')
    with pytest.raises(ValueError, match='fixed batch size'):
        f([np.zeros((3, T, H), 'float32')])
