"""Activations against NumPy; one compiled K.function for all of them."""
import numpy as np
import pytest

from keraslike import activations
from keraslike import backend as K

rng = np.random.RandomState(3)
X2 = rng.uniform(-4, 4, (5, 7))
X3 = rng.uniform(-4, 4, (2, 4, 7)) * 10  # large values: softmax must stay stable


def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


CASES = {  # name -> (keras fn of a 2D tensor, numpy reference)
    'softmax': (activations.softmax, np_softmax),
    'elu': (activations.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    'elu_0.5': (lambda x: activations.elu(x, alpha=0.5),
                lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1))),
    'softplus': (activations.softplus, lambda x: np.log1p(np.exp(x))),
    'softsign': (activations.softsign, lambda x: x / (1 + np.abs(x))),
    'relu': (activations.relu, lambda x: np.maximum(x, 0)),
    'relu_leaky_capped': (lambda x: activations.relu(x, alpha=0.1, max_value=2.5),
                          lambda x: np.minimum(np.where(x > 0, x, 0.1 * x), 2.5)),
    'tanh': (activations.tanh, np.tanh),
    'sigmoid': (activations.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    'hard_sigmoid': (activations.hard_sigmoid, lambda x: np.clip(0.2 * x + 0.5, 0, 1)),
    'linear': (activations.linear, lambda x: x),
}
NAMES = sorted(CASES)


@pytest.fixture(scope='module')
def results():
    x2 = K.placeholder(shape=(None, 7))
    x3 = K.placeholder(shape=(None, 4, 7))
    outs = [CASES[n][0](x2) for n in NAMES] + [activations.softmax(x3)]
    fn = K.function([x2, x3], outs)
    res = fn([X2, X3])
    return dict(zip(NAMES + ['softmax_3d'], res)), outs


@pytest.mark.parametrize('name', NAMES)
def test_activation_matches_numpy(results, name):
    res, outs = results
    got = res[name]
    assert got.shape == X2.shape and got.dtype == np.float32
    assert K.dtype(outs[NAMES.index(name)]) == 'float32'
    np.testing.assert_allclose(got, CASES[name][1](X2), rtol=1e-5, atol=1e-6)


def test_softmax_3d_over_last_axis(results):
    got = results[0]['softmax_3d']
    assert got.shape == X3.shape
    np.testing.assert_allclose(got.sum(-1), 1., rtol=1e-5)
    np.testing.assert_allclose(got, np_softmax(X3), rtol=1e-5, atol=1e-7)
    assert np.isfinite(got).all()


@pytest.mark.parametrize('ndim', [1, 4])
def test_softmax_other_ndim_raises(ndim):
    with pytest.raises(ValueError, match='ndim=%d' % ndim):
        activations.softmax(K.placeholder(ndim=ndim))


def test_names_for_serialisation():
    for name in ('softmax', 'elu', 'softplus', 'softsign', 'relu', 'tanh', 'sigmoid',
                 'hard_sigmoid', 'linear'):
        fn = activations.get(name)
        assert fn is getattr(activations, name) and fn.__name__ == name
        assert activations.get(fn.__name__) is fn


def test_get_none_callable_and_unknown():
    assert activations.get(None) is activations.linear
    assert activations.get(np.abs) is np.abs
    with pytest.raises(ValueError) as e:
        activations.get('relu6')
    msg = str(e.value)
    assert 'relu6' in msg and 'hard_sigmoid' in msg and 'softmax' in msg
