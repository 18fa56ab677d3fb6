"""Every Keras 1 loss against NumPy, and its gradient against finite differences.

One float64 K.function evaluates all losses and their gradients (one compile).
"""
import os

import numpy as np
import pytest

from keraslike import backend as K
from keraslike import losses, objectives

# The full checks compile one large graph. PyTensor's default (Numba) linker needs minutes
# to compile it cold, so it is compiled in FAST_COMPILE mode (same graph, Python kernels);
# KERASLIKE_TEST_MODE=DEFAULT uses the default linker. test_default_linker_smoke always does.
MODE = os.environ.get('KERASLIKE_TEST_MODE', 'FAST_COMPILE')
EPS = 1e-7
N, D = 4, 5
rng = np.random.RandomState(42)
DATA = {
    'yt': rng.uniform(0.1, 0.9, (N, D)),
    'yp': rng.uniform(0.1, 0.9, (N, D)),
    'ys': rng.randint(0, D, (N, 1)).astype('float64'),
    'th': rng.choice([-1., 1.], (N, D)),
    # hinge predictions on both sides of the margin, away from the kink
    'ph': rng.choice([-1., 1.], (N, D)) * rng.uniform(0.1, 1.8, (N, D)),
    'yt3': rng.uniform(0.1, 0.9, (2, 3, D)),
    'yp3': rng.uniform(0.1, 0.9, (2, 3, D)),
    'ys3': rng.randint(0, D, (2, 3, 1)).astype('float64'),
}
DATA['ph'][np.abs(np.abs(DATA['ph']) - 1) < 0.05] = 0.5


def np_clip_probs(p):
    p = p / p.sum(axis=-1, keepdims=True)
    return np.clip(p, EPS, 1 - EPS)


def np_l2n(x):
    return x / np.maximum(np.sqrt((x ** 2).sum(axis=-1, keepdims=True)), EPS)


def np_onehot(s, d):
    return np.eye(d)[s[..., 0].astype(int)]


NP_LOSSES = {
    'mean_squared_error': lambda t, p: ((p - t) ** 2).mean(-1),
    'mean_absolute_error': lambda t, p: np.abs(p - t).mean(-1),
    'mean_absolute_percentage_error':
        lambda t, p: 100. * np.abs((t - p) / np.clip(np.abs(t), EPS, None)).mean(-1),
    'mean_squared_logarithmic_error':
        lambda t, p: ((np.log(np.clip(p, EPS, None) + 1) -
                       np.log(np.clip(t, EPS, None) + 1)) ** 2).mean(-1),
    'squared_hinge': lambda t, p: (np.maximum(1 - t * p, 0) ** 2).mean(-1),
    'hinge': lambda t, p: np.maximum(1 - t * p, 0).mean(-1),
    'categorical_crossentropy': lambda t, p: -(t * np.log(np_clip_probs(p))).sum(-1),
    'sparse_categorical_crossentropy':
        lambda s, p: -(np_onehot(s, p.shape[-1]) * np.log(np_clip_probs(p))).sum(-1),
    'binary_crossentropy':
        lambda t, p: (-(t * np.log(np.clip(p, EPS, 1 - EPS)) +
                        (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS)))).mean(-1),
    'kullback_leibler_divergence':
        lambda t, p: (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) /
                                                   np.clip(p, EPS, 1))).sum(-1),
    'poisson': lambda t, p: (p - t * np.log(p + EPS)).mean(-1),
    'cosine_proximity': lambda t, p: -(np_l2n(t) * np_l2n(p)).mean(-1),
}
INPUTS = {name: ('yt', 'yp') for name in NP_LOSSES}
INPUTS.update({'squared_hinge': ('th', 'ph'), 'hinge': ('th', 'ph'),
               'sparse_categorical_crossentropy': ('ys', 'yp')})
NAMES = sorted(NP_LOSSES)
THREE_D = ['mean_squared_error', 'categorical_crossentropy', 'sparse_categorical_crossentropy']
ORDER = ['yt', 'yp', 'ys', 'th', 'ph', 'yt3', 'yp3', 'ys3']


@pytest.fixture(scope='module')
def compiled():
    ph = {k: K.placeholder(ndim=DATA[k].ndim, dtype='float64', name=k) for k in ORDER}
    outs, grads = [], []
    for name in NAMES:
        t, p = INPUTS[name]
        loss = getattr(objectives, name)(ph[t], ph[p])
        outs.append(loss)
        grads.append(K.gradients(K.sum(loss), [ph[p]])[0])
    outs3 = []
    for name in THREE_D:
        t = 'ys3' if name.startswith('sparse') else 'yt3'
        outs3.append(getattr(objectives, name)(ph[t], ph['yp3']))
    fn = K.function([ph[k] for k in ORDER], outs + grads + outs3, mode=MODE)

    def run(data):
        res = fn([data[k] for k in ORDER])
        n = len(NAMES)
        return res[:n], res[n:2 * n], res[2 * n:]
    return run, outs, outs3


@pytest.mark.parametrize('name', NAMES)
def test_loss_matches_numpy(compiled, name):
    run, outs, _ = compiled
    values, _, _ = run(DATA)
    got = values[NAMES.index(name)]
    t, p = INPUTS[name]
    want = NP_LOSSES[name](DATA[t], DATA[p])
    assert got.shape == (N,)
    assert K.ndim(outs[NAMES.index(name)]) == 1
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize('name', THREE_D)
def test_loss_on_sequences_reduces_last_axis_only(compiled, name):
    run, _, outs3 = compiled
    _, _, values3 = run(DATA)
    got = values3[THREE_D.index(name)]
    t = 'ys3' if name.startswith('sparse') else 'yt3'
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got, NP_LOSSES[name](DATA[t], DATA['yp3']), rtol=1e-5)


@pytest.fixture(scope='module')
def finite_differences(compiled):
    """Central differences of sum(loss) w.r.t. each prediction entry, all losses at once."""
    run, _, _ = compiled
    h = 1e-6
    fd = {name: np.zeros((N, D)) for name in NAMES}
    for pred in ('yp', 'ph'):
        for idx in np.ndindex(N, D):
            vals = []
            for sign in (1, -1):
                data = {k: v.copy() for k, v in DATA.items()}
                data[pred][idx] += sign * h
                vals.append(run(data)[0])
            for i, name in enumerate(NAMES):
                if INPUTS[name][1] == pred:
                    fd[name][idx] = (vals[0][i].sum() - vals[1][i].sum()) / (2 * h)
    return fd


@pytest.mark.parametrize('name', NAMES)
def test_gradient_matches_finite_differences(compiled, finite_differences, name):
    run, _, _ = compiled
    _, grads, _ = run(DATA)
    got = grads[NAMES.index(name)]
    assert got.shape == (N, D) and np.abs(got).max() > 0
    np.testing.assert_allclose(got, finite_differences[name], rtol=1e-5, atol=1e-6)


def test_default_linker_smoke(compiled):
    """Common losses and a gradient compiled by PyTensor's default linker (Numba)."""
    run, _, _ = compiled
    names = ['binary_crossentropy', 'categorical_crossentropy', 'mean_squared_error',
             'sparse_categorical_crossentropy']
    ph = {k: K.placeholder(ndim=2, dtype='float64') for k in ('yt', 'yp', 'ys')}
    outs = [getattr(objectives, n)(ph[INPUTS[n][0]], ph['yp']) for n in names]
    grad = K.gradients(K.sum(outs[0]) + K.sum(outs[2]), [ph['yp']])[0]
    fn = K.function([ph['yt'], ph['yp'], ph['ys']], outs + [grad])
    res = fn([DATA['yt'], DATA['yp'], DATA['ys']])
    for n, got in zip(names, res):
        np.testing.assert_allclose(got, NP_LOSSES[n](DATA[INPUTS[n][0]], DATA['yp']), rtol=1e-6)
    _, grads, _ = run(DATA)
    want = grads[NAMES.index('binary_crossentropy')] + grads[NAMES.index('mean_squared_error')]
    np.testing.assert_allclose(res[-1], want, rtol=1e-6)


def test_aliases():
    pairs = [('mse', 'mean_squared_error'), ('MSE', 'mean_squared_error'),
             ('mae', 'mean_absolute_error'), ('MAE', 'mean_absolute_error'),
             ('mape', 'mean_absolute_percentage_error'),
             ('MAPE', 'mean_absolute_percentage_error'),
             ('msle', 'mean_squared_logarithmic_error'),
             ('MSLE', 'mean_squared_logarithmic_error'),
             ('kld', 'kullback_leibler_divergence'), ('KLD', 'kullback_leibler_divergence'),
             ('cosine', 'cosine_proximity')]
    for alias, name in pairs:
        fn = getattr(objectives, name)
        assert getattr(objectives, alias) is fn
        assert objectives.get(alias) is fn
        assert fn.__name__ == name
    for name in NAMES:
        assert objectives.get(name) is getattr(objectives, name)


def test_get_passes_callables_and_rejects_unknown():
    def my_loss(y_true, y_pred):
        return y_pred
    assert objectives.get(my_loss) is my_loss
    with pytest.raises(ValueError) as e:
        objectives.get('mean_squared_errorr')
    msg = str(e.value)
    assert 'mean_squared_errorr' in msg and 'categorical_crossentropy' in msg and 'mse' in msg


def test_losses_module_is_keras2_alias():
    for name in NAMES + ['mse', 'mae', 'kld', 'cosine']:
        assert getattr(losses, name) is getattr(objectives, name)
    assert losses.get('binary_crossentropy') is objectives.binary_crossentropy
    assert losses.serialize(losses.mse) == 'mean_squared_error'
    assert losses.deserialize('mean_squared_error') is objectives.mean_squared_error

    def custom(y_true, y_pred):
        return y_pred
    assert losses.deserialize('custom', custom_objects={'custom': custom}) is custom


def test_float32_graph_stays_float32():
    t = K.placeholder(shape=(None, 3))
    p = K.placeholder(shape=(None, 3))
    s = K.placeholder(shape=(None, 1))
    for name in NAMES:
        out = getattr(objectives, name)(s if name.startswith('sparse') else t, p)
        assert K.dtype(out) == 'float32', name
