"""Regularizer penalties and constraint projections against NumPy (one K.function)."""
import warnings

import numpy as np
import pytest

from keraslike import backend as K
from keraslike import constraints, regularizers

EPS = 1e-7
rng = np.random.RandomState(11)
W = rng.randn(6, 4)
W4 = rng.randn(5, 3, 2, 2)  # a 'th' conv kernel


def np_norms(p, axis):
    return np.sqrt((p ** 2).sum(axis=axis, keepdims=True))


def np_power_eig(w, k):
    cov = w.T.dot(w)
    v = cov.dot(np.ones((cov.shape[0], 1)))
    for _ in range(8):
        v = cov.dot(v)
    cd = cov.dot(v)
    return np.sqrt((cd.T.dot(v) / v.T.dot(v))[0, 0]) * k


CASES = {  # name -> (keras expression builder of (w, w4), numpy reference)
    'l1': (lambda w, w4: regularizers.l1(0.3)(w), lambda: 0.3 * np.abs(W).sum()),
    'l2': (lambda w, w4: regularizers.l2(0.2)(w), lambda: 0.2 * (W ** 2).sum()),
    'l1l2': (lambda w, w4: regularizers.l1l2(0.1, 0.05)(w4),
             lambda: 0.1 * np.abs(W4).sum() + 0.05 * (W4 ** 2).sum()),
    'activity_l1l2': (lambda w, w4: regularizers.activity_l1l2(0.01, 0.02)(w),
                      lambda: 0.01 * np.abs(W).sum() + 0.02 * (W ** 2).sum()),
    'eigen': (lambda w, w4: regularizers.EigenvalueRegularizer(0.5)(w),
              lambda: np_power_eig(W, 0.5)),
    'maxnorm': (lambda w, w4: constraints.MaxNorm(m=2.)(w),
                lambda: W * np.clip(np_norms(W, 0), 0, 2.) / (EPS + np_norms(W, 0))),
    'maxnorm_axis1': (lambda w, w4: constraints.maxnorm(m=1.5, axis=1)(w),
                      lambda: W * np.clip(np_norms(W, 1), 0, 1.5) / (EPS + np_norms(W, 1))),
    'maxnorm_conv': (lambda w, w4: constraints.MaxNorm(m=2., axis=[1, 2, 3])(w4),
                     lambda: W4 * np.clip(np_norms(W4, (1, 2, 3)), 0, 2.) /
                     (EPS + np_norms(W4, (1, 2, 3)))),
    'nonneg': (lambda w, w4: constraints.NonNeg()(w), lambda: W * (W >= 0)),
    'unitnorm': (lambda w, w4: constraints.UnitNorm()(w), lambda: W / (EPS + np_norms(W, 0))),
    'unitnorm_axis1': (lambda w, w4: constraints.unitnorm(axis=1)(w),
                       lambda: W / (EPS + np_norms(W, 1))),
    'minmaxnorm': (lambda w, w4: constraints.MinMaxNorm(low=1.5, high=2.5, rate=0.7)(w),
                   lambda: W * (0.7 * np.clip(np_norms(W, 0), 1.5, 2.5) +
                                0.3 * np_norms(W, 0)) / (EPS + np_norms(W, 0))),
}
NAMES = sorted(CASES)


@pytest.fixture(scope='module')
def results():
    w, w4 = K.variable(W), K.variable(W4)
    exprs = [CASES[n][0](w, w4) for n in NAMES]
    fn = K.function([], exprs)
    for e in exprs:
        assert K.dtype(e) == 'float32'
    return dict(zip(NAMES, fn([])))


@pytest.mark.parametrize('name', NAMES)
def test_matches_numpy(results, name):
    want = CASES[name][1]()
    np.testing.assert_allclose(results[name], want, rtol=2e-5, atol=1e-6)


def test_constraints_had_work_to_do(results):
    assert (np_norms(W, 0) > 2).any() and (np_norms(W, 0) < 2).any()
    assert np.allclose(np.minimum(np_norms(W, 0), 2.), np_norms(results['maxnorm'], 0),
                       rtol=1e-5)
    np.testing.assert_allclose(np_norms(results['unitnorm'], 0), 1., rtol=1e-5)
    norms = np_norms(results['minmaxnorm'], 0)
    assert (norms >= 0.7 * 1.5 - 1e-5).all()


def test_eigenvalue_regularizer_close_to_true_eigenvalue(results):
    lam = np.linalg.eigvalsh(W.T.dot(W)).max()
    assert abs(results['eigen'] - 0.5 * np.sqrt(lam)) < 0.02 * np.sqrt(lam)
    with pytest.raises(ValueError, match='rank 2'):
        regularizers.EigenvalueRegularizer(1.)(K.variable(W4))


def test_regularizer_base_and_zero_penalty():
    assert regularizers.Regularizer()(K.variable(W)) == 0
    assert regularizers.L1L2Regularizer()(K.variable(W)) == 0
    assert regularizers.Regularizer().get_config() == {'name': 'Regularizer'}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        regularizers.Regularizer().set_param(None)
        regularizers.l2().set_layer(None)
    assert len(w) == 2


def test_regularizer_configs_and_factories():
    f32 = lambda x: float(np.float32(x))  # noqa: E731
    assert regularizers.l1().get_config() == {'name': 'L1L2Regularizer', 'l1': f32(0.01),
                                              'l2': 0.0}
    assert regularizers.l2(0.5).get_config() == {'name': 'L1L2Regularizer', 'l1': 0.0,
                                                 'l2': 0.5}
    assert regularizers.l1l2().get_config()['l1'] == 0.009999999776482582
    assert regularizers.activity_l1(0.25).get_config()['l1'] == 0.25
    assert regularizers.activity_l2(0.25).get_config()['l2'] == 0.25
    for f in (regularizers.l1, regularizers.l2, regularizers.l1l2, regularizers.l1_l2,
              regularizers.activity_l1, regularizers.activity_l2, regularizers.activity_l1l2):
        assert isinstance(f(), regularizers.L1L2Regularizer)
    assert regularizers.WeightRegularizer is regularizers.L1L2Regularizer
    assert regularizers.ActivityRegularizer is regularizers.L1L2Regularizer
    assert regularizers.L1L2 is regularizers.L1L2Regularizer
    for value in regularizers.l1l2(0.3, 0.4).get_config().values():
        assert isinstance(value, (str, float)) and not isinstance(value, np.ndarray)


def test_regularizer_get():
    reg = regularizers.get('l2')
    assert reg.get_config() == regularizers.l2(0.01).get_config()
    assert regularizers.get('l1', {'l': 0.5}).get_config()['l1'] == 0.5
    cfg = regularizers.l1l2(0.1, 0.2).get_config()
    again = regularizers.get(cfg)
    assert isinstance(again, regularizers.L1L2Regularizer) and again.get_config() == cfg
    k2 = regularizers.get({'class_name': 'L1L2', 'config': {'l1': 0., 'l2': 0.5}})
    assert k2.get_config() == {'name': 'L1L2Regularizer', 'l1': 0., 'l2': 0.5}
    inst = regularizers.l2()
    assert regularizers.get(inst) is inst
    assert regularizers.get(None) is None
    with pytest.raises(ValueError) as e:
        regularizers.get('l3')
    assert 'l3' in str(e.value) and 'l1l2' in str(e.value)


def test_constraint_configs():
    assert constraints.MaxNorm().get_config() == {'name': 'MaxNorm', 'm': 2, 'axis': 0}
    assert constraints.maxnorm(3, axis=[1, 2, 3]).get_config() == \
        {'name': 'MaxNorm', 'm': 3, 'axis': [1, 2, 3]}
    assert constraints.NonNeg().get_config() == {'name': 'NonNeg'}
    assert constraints.UnitNorm(axis=1).get_config() == {'name': 'UnitNorm', 'axis': 1}
    assert constraints.MinMaxNorm().get_config() == {'name': 'MinMaxNorm', 'low': 0.0,
                                                     'high': 1.0, 'rate': 1.0, 'axis': 0}
    assert constraints.Constraint().get_config() == {'name': 'Constraint'}
    x = K.variable(W)
    assert constraints.Constraint()(x) is x


def test_constraint_aliases_and_keras2_names():
    assert constraints.maxnorm is constraints.MaxNorm is constraints.max_norm
    assert constraints.nonneg is constraints.NonNeg is constraints.non_neg
    assert constraints.unitnorm is constraints.UnitNorm is constraints.unit_norm
    assert constraints.max_norm(max_value=4).m == 4
    mm = constraints.MinMaxNorm(min_value=0.2, max_value=0.9)
    assert (mm.low, mm.high) == (0.2, 0.9)


def test_constraint_get():
    c = constraints.get('maxnorm')
    assert isinstance(c, constraints.MaxNorm) and c.m == 2
    assert constraints.get('maxnorm', {'m': 3, 'axis': 1}).get_config() == \
        {'name': 'MaxNorm', 'm': 3, 'axis': 1}
    assert isinstance(constraints.get('non_neg'), constraints.NonNeg)
    cfg = constraints.MinMaxNorm(0.1, 0.2, 0.5, 1).get_config()
    assert constraints.get(cfg).get_config() == cfg
    k2 = constraints.get({'class_name': 'MaxNorm', 'config': {'max_value': 5, 'axis': 0}})
    assert k2.get_config() == {'name': 'MaxNorm', 'm': 5, 'axis': 0}
    inst = constraints.UnitNorm()
    assert constraints.get(inst) is inst
    assert constraints.get(None) is None
    with pytest.raises(ValueError) as e:
        constraints.get('maxnormm')
    assert 'maxnormm' in str(e.value) and 'unitnorm' in str(e.value)
