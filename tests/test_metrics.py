"""Every Keras 1 metric against NumPy (and scikit-learn where it has one).

One float32 K.function evaluates all metrics (one compile); different data
sets are fed to the same function.
"""
import os

import numpy as np
import pytest

from keraslike import backend as K
from keraslike import metrics

# The full checks compile one large graph. PyTensor's default (Numba) linker needs about
# a minute to compile it cold, so it is compiled in FAST_COMPILE mode (same graph, Python
# kernels); KERASLIKE_TEST_MODE=DEFAULT uses the default linker.
# test_default_linker_smoke always does.
MODE = os.environ.get('KERASLIKE_TEST_MODE', 'FAST_COMPILE')
EPS = 1e-7
N, C = 40, 6


def make_data(seed, no_positives=False):
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, C, N)
    yp = rng.uniform(0, 1, (N, C))
    yp[:, 0] = 0.5  # exact ties at 0.5 round half to even (to 0)
    yb = (rng.uniform(0, 1, (N, C)) < 0.4).astype('float64')
    if no_positives:
        yb[:] = 0
    return {'yb': yb, 'yc': np.eye(C)[labels], 'ys': labels[:, None].astype('float64'),
            'yr': rng.uniform(0.5, 2., (N, C)), 'yp': yp,
            'yh': rng.choice([-1., 1.], (N, C)),
            'sp': yp / yp.sum(-1, keepdims=True)}


def np_clip_probs(p):
    p = p / p.sum(axis=-1, keepdims=True)
    return np.clip(p, EPS, 1 - EPS)


def np_l2n(x):
    return x / np.maximum(np.sqrt((x ** 2).sum(axis=-1, keepdims=True)), EPS)


def np_counts(t, p):
    tp = np.round(np.clip(t * p, 0, 1)).sum()
    return tp, np.round(np.clip(p, 0, 1)).sum(), np.round(np.clip(t, 0, 1)).sum()


def np_fbeta(t, p, beta):
    tp, pp, pos = np_counts(t, p)
    prec, rec = tp / (pp + EPS), tp / (pos + EPS)
    return (1 + beta ** 2) * prec * rec / (beta ** 2 * prec + rec + EPS)


def np_mcc(t, p):
    pp, tt = np.round(np.clip(p, 0, 1)), np.round(np.clip(t, 0, 1))
    tp, tn = (tt * pp).sum(), ((1 - tt) * (1 - pp)).sum()
    fp, fn = ((1 - tt) * pp).sum(), (tt * (1 - pp)).sum()
    return (tp * tn - fp * fn) / (np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)) + EPS)


def np_top_k(t, p, k):
    target = t.argmax(-1)
    larger = (p > p[np.arange(len(p)), target][:, None]).sum(-1)
    return (larger < k).mean()


# metric name -> (y_true key, y_pred key, numpy reference)
CASES = {
    'binary_accuracy': ('yb', 'yp', lambda t, p: (t == np.round(p)).mean()),
    'categorical_accuracy': ('yc', 'yp', lambda t, p: (t.argmax(-1) == p.argmax(-1)).mean()),
    'sparse_categorical_accuracy': ('ys', 'yp', lambda t, p: (t[:, 0] == p.argmax(-1)).mean()),
    'top_k_categorical_accuracy': ('yc', 'yp', lambda t, p: np_top_k(t, p, 5)),
    'mean_squared_error': ('yr', 'yp', lambda t, p: ((p - t) ** 2).mean()),
    'mean_absolute_error': ('yr', 'yp', lambda t, p: np.abs(p - t).mean()),
    'mean_absolute_percentage_error':
        ('yr', 'yp', lambda t, p: 100 * np.abs((t - p) / np.clip(np.abs(t), EPS, None)).mean()),
    'mean_squared_logarithmic_error':
        ('yr', 'yp', lambda t, p: ((np.log(np.clip(p, EPS, None) + 1) -
                                    np.log(np.clip(t, EPS, None) + 1)) ** 2).mean()),
    'hinge': ('yh', 'yp', lambda t, p: np.maximum(1 - t * p, 0).mean()),
    'squared_hinge': ('yh', 'yp', lambda t, p: (np.maximum(1 - t * p, 0) ** 2).mean()),
    'categorical_crossentropy':
        ('yc', 'yp', lambda t, p: -(t * np.log(np_clip_probs(p))).sum(-1).mean()),
    'sparse_categorical_crossentropy':
        ('ys', 'yp', lambda t, p: -np.log(np_clip_probs(p))[np.arange(N),
                                                            t[:, 0].astype(int)].mean()),
    'binary_crossentropy':
        ('yb', 'yp', lambda t, p: -(t * np.log(np.clip(p, EPS, 1 - EPS)) +
                                    (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS))).mean()),
    'kullback_leibler_divergence':
        ('sp', 'yp', lambda t, p: (np.clip(t, EPS, 1) * np.log(
            np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1).mean()),
    'poisson': ('yr', 'yp', lambda t, p: (p - t * np.log(p + EPS)).mean()),
    'cosine_proximity': ('yr', 'yp', lambda t, p: -(np_l2n(t) * np_l2n(p)).mean()),
    'matthews_correlation': ('yb', 'yp', np_mcc),
    'precision': ('yb', 'yp', lambda t, p: np_counts(t, p)[0] / (np_counts(t, p)[1] + EPS)),
    'recall': ('yb', 'yp', lambda t, p: np_counts(t, p)[0] / (np_counts(t, p)[2] + EPS)),
    'fbeta_score': ('yb', 'yp', lambda t, p: np_fbeta(t, p, 1)),
    'fmeasure': ('yb', 'yp', lambda t, p: np_fbeta(t, p, 1)),
}
EXTRA = {  # metrics with non-default arguments
    'top_2': ('yc', 'yp', lambda t, p: metrics.top_k_categorical_accuracy(t, p, k=2),
              lambda t, p: np_top_k(t, p, 2)),
    'fbeta_2': ('yb', 'yp', lambda t, p: metrics.fbeta_score(t, p, beta=2),
                lambda t, p: np_fbeta(t, p, 2)),
}
NAMES = sorted(CASES)
KEYS = ['yb', 'yc', 'ys', 'yr', 'yp', 'yh', 'sp']


@pytest.fixture(scope='module')
def evaluate():
    ph = {k: K.placeholder(shape=(None, 1 if k == 'ys' else C), name=k) for k in KEYS}
    outs = [getattr(metrics, n)(ph[CASES[n][0]], ph[CASES[n][1]]) for n in NAMES]
    outs += [EXTRA[n][2](ph[EXTRA[n][0]], ph[EXTRA[n][1]]) for n in sorted(EXTRA)]
    fn = K.function([ph[k] for k in KEYS], outs, mode=MODE)
    for o in outs:
        assert K.ndim(o) == 0 and K.dtype(o) == K.floatx()

    def run(data):
        res = fn([data[k] for k in KEYS])
        return dict(zip(NAMES + sorted(EXTRA), res))
    return run


@pytest.mark.parametrize('name', NAMES + sorted(EXTRA))
@pytest.mark.parametrize('seed', [0, 1])
def test_metric_matches_numpy(evaluate, name, seed):
    data = make_data(seed)
    got = evaluate(data)[name]
    t, p, ref = CASES[name] if name in CASES else (EXTRA[name][0], EXTRA[name][1], EXTRA[name][3])
    want = ref(data[t], data[p])
    assert got.dtype == np.float32 and got.shape == ()
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


def test_classification_metrics_match_sklearn(evaluate):
    skm = pytest.importorskip('sklearn.metrics')
    data = make_data(3)
    got = evaluate(data)
    t, p = data['yb'].ravel(), np.round(data['yp']).ravel()
    assert np.isclose(got['precision'], skm.precision_score(t, p), atol=1e-5)
    assert np.isclose(got['recall'], skm.recall_score(t, p), atol=1e-5)
    assert np.isclose(got['fmeasure'], skm.f1_score(t, p), atol=1e-5)
    assert np.isclose(got['fbeta_2'], skm.fbeta_score(t, p, beta=2), atol=1e-5)
    assert np.isclose(got['matthews_correlation'], skm.matthews_corrcoef(t, p), atol=1e-5)
    assert np.isclose(got['binary_accuracy'], skm.accuracy_score(t, p), atol=1e-6)
    labels = data['ys'][:, 0]
    assert np.isclose(got['categorical_accuracy'],
                      skm.accuracy_score(labels, data['yp'].argmax(-1)), atol=1e-6)
    assert np.isclose(got['sparse_categorical_accuracy'], got['categorical_accuracy'])
    assert np.isclose(got['top_k_categorical_accuracy'],
                      skm.top_k_accuracy_score(labels, data['yp'], k=5,
                                               labels=np.arange(C)), atol=1e-6)


def test_no_positives_gives_zero_f_score(evaluate):
    got = evaluate(make_data(5, no_positives=True))
    assert got['fmeasure'] == 0. and got['recall'] == 0. and got['precision'] == 0.
    assert got['fbeta_2'] == 0.


def test_default_linker_smoke():
    """The accuracies compiled by PyTensor's default linker (Numba)."""
    names = ['binary_accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy',
             'top_k_categorical_accuracy']
    data = make_data(0)
    ph = {k: K.placeholder(shape=(None, 1 if k == 'ys' else C)) for k in ('yb', 'yc', 'ys', 'yp')}
    fn = K.function([ph[k] for k in ('yb', 'yc', 'ys', 'yp')],
                    [getattr(metrics, n)(ph[CASES[n][0]], ph['yp']) for n in names])
    for n, got in zip(names, fn([data[k] for k in ('yb', 'yc', 'ys', 'yp')])):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, CASES[n][2](data[CASES[n][0]], data['yp']), rtol=1e-6)


def test_fbeta_negative_beta_raises():
    t, p = K.placeholder(shape=(None, 2)), K.placeholder(shape=(None, 2))
    with pytest.raises(ValueError, match='beta'):
        metrics.fbeta_score(t, p, beta=-1)


def test_names_and_aliases():
    for name in NAMES:
        fn = getattr(metrics, name)
        assert fn.__name__ == name and metrics.get(name) is fn
    for alias, name in (('mse', 'mean_squared_error'), ('MSE', 'mean_squared_error'),
                        ('mae', 'mean_absolute_error'), ('MAE', 'mean_absolute_error'),
                        ('mape', 'mean_absolute_percentage_error'),
                        ('MAPE', 'mean_absolute_percentage_error'),
                        ('msle', 'mean_squared_logarithmic_error'),
                        ('MSLE', 'mean_squared_logarithmic_error'),
                        ('cosine', 'cosine_proximity'), ('fscore', 'fmeasure'),
                        ('f1score', 'fmeasure')):
        assert getattr(metrics, alias) is getattr(metrics, name)
        assert metrics.get(alias) is getattr(metrics, name)


def test_get_rejects_unknown_and_passes_callables():
    with pytest.raises(ValueError) as e:
        metrics.get('accuracyy')
    assert 'accuracyy' in str(e.value) and 'binary_accuracy' in str(e.value)
    assert metrics.get(len) is len
