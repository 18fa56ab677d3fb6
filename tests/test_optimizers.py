"""Optimizers against a NumPy hand computation of the Keras 1.2.2 update rules.

All configurations share one compiled K.function (one compile for the module):
each has its own copy of the parameters of a small least-squares problem.
"""
import os

import numpy as np
import pytest

from keraslike import backend as K
from keraslike import constraints, optimizers

# The full checks compile one large graph. PyTensor's default (Numba) linker needs minutes
# to compile it cold, so it is compiled in FAST_COMPILE mode (same graph, Python kernels);
# KERASLIKE_TEST_MODE=DEFAULT uses the default linker. test_default_linker_smoke always does.
MODE = os.environ.get('KERASLIKE_TEST_MODE', 'FAST_COMPILE')

RNG = np.random.RandomState(0)
X = RNG.randn(6, 3)
Y = RNG.randn(6, 2)
W0 = RNG.randn(3, 2) * 0.5
B0 = RNG.randn(2) * 0.1


def f32(x):
    """A hyper-parameter as the float32 variable holds it."""
    return float(np.float32(x))


def np_loss_grads(W, b):
    r = X.dot(W) + b - Y
    n = r.size
    return [2. / n * X.T.dot(r), 2. / n * r.sum(axis=0)]


def np_maxnorm(p, m, axis=0):
    norms = np.sqrt(np.sum(p ** 2, axis=axis, keepdims=True))
    return p * (np.clip(norms, 0, m) / (1e-7 + norms))


def np_nonneg(p):
    return p * (p >= 0)


class NumpyOpt(object):
    """Keras 1.2.2 update rules, written out with NumPy (float64)."""

    def __init__(self, kind, lr, clipnorm=0., clipvalue=0., np_constraint=None, **hp):
        self.kind, self.lr, self.hp = kind, f32(lr), {k: (f32(v) if isinstance(v, float) else v)
                                                     for k, v in hp.items()}
        self.clipnorm, self.clipvalue, self.np_constraint = clipnorm, clipvalue, np_constraint
        self.it = 0.
        self.m_schedule = 1.
        self.state = {}

    def grads(self, params):
        g = np_loss_grads(*params)
        if self.clipnorm > 0:
            n = np.sqrt(sum(np.sum(x ** 2) for x in g))
            if n >= self.clipnorm:
                g = [x * self.clipnorm / n for x in g]
        if self.clipvalue > 0:
            g = [np.clip(x, -self.clipvalue, self.clipvalue) for x in g]
        return g

    def step(self, params):
        hp, it = self.hp, self.it
        decay = hp.get('decay', 0.)
        lr = self.lr / (1. + decay * it)
        g_all = self.grads(params)
        out = []
        k = self.kind
        if k in ('adam', 'adamax', 'nadam'):
            t = it + 1.
            b1, b2 = hp.get('beta_1', f32(0.9)), hp.get('beta_2', f32(0.999))
        if k == 'nadam':
            sd = hp.get('schedule_decay', 0.004)
            mu_t = b1 * (1. - 0.5 * 0.96 ** (t * sd))
            mu_t1 = b1 * (1. - 0.5 * 0.96 ** ((t + 1) * sd))
            ms_new = self.m_schedule * mu_t
            ms_next = ms_new * mu_t1
            self.m_schedule = ms_new
        for i, (p, g) in enumerate(zip(params, g_all)):
            s = self.state.setdefault(i, {'a': np.zeros_like(p), 'b': np.zeros_like(p)})
            if k == 'sgd':
                mom = hp.get('momentum', 0.)
                v = mom * s['a'] - lr * g
                s['a'] = v
                new_p = p + mom * v - lr * g if hp.get('nesterov') else p + v
            elif k == 'rmsprop':
                rho = hp.get('rho', f32(0.9))
                s['a'] = rho * s['a'] + (1 - rho) * g ** 2
                new_p = p - lr * g / (np.sqrt(s['a']) + 1e-8)
            elif k == 'adagrad':
                s['a'] = s['a'] + g ** 2
                new_p = p - lr * g / (np.sqrt(s['a']) + 1e-8)
            elif k == 'adadelta':
                rho, eps = 0.95, 1e-8
                s['a'] = rho * s['a'] + (1 - rho) * g ** 2
                u = g * np.sqrt(s['b'] + eps) / np.sqrt(s['a'] + eps)
                new_p = p - lr * u
                s['b'] = rho * s['b'] + (1 - rho) * u ** 2
            elif k == 'adam':
                lr_t = lr * np.sqrt(1. - b2 ** t) / (1. - b1 ** t)
                s['a'] = b1 * s['a'] + (1 - b1) * g
                s['b'] = b2 * s['b'] + (1 - b2) * g ** 2
                new_p = p - lr_t * s['a'] / (np.sqrt(s['b']) + 1e-8)
            elif k == 'adamax':
                lr_t = lr / (1. - b1 ** t)
                s['a'] = b1 * s['a'] + (1 - b1) * g
                s['b'] = np.maximum(b2 * s['b'], np.abs(g))
                new_p = p - lr_t * s['a'] / (s['b'] + 1e-8)
            elif k == 'nadam':
                g_prime = g / (1. - ms_new)
                s['a'] = b1 * s['a'] + (1 - b1) * g
                m_prime = s['a'] / (1. - ms_next)
                s['b'] = b2 * s['b'] + (1 - b2) * g ** 2
                v_prime = s['b'] / (1. - b2 ** t)
                m_bar = (1. - mu_t) * g_prime + mu_t1 * m_prime
                new_p = p - self.lr * m_bar / (np.sqrt(v_prime) + 1e-8)
            if self.np_constraint is not None and i == 0:
                new_p = self.np_constraint(new_p)
            out.append(new_p)
        if decay > 0 or k in ('adam', 'adamax', 'nadam'):
            self.it += 1.
        return out


# name -> (keras constructor, kwargs, numpy kind, constraint on W (keras, numpy))
CONFIGS = {
    'sgd': (optimizers.SGD, dict(lr=0.1), 'sgd', None),
    'sgd_momentum': (optimizers.SGD, dict(lr=0.1, momentum=0.9), 'sgd', None),
    'sgd_nesterov': (optimizers.SGD, dict(lr=0.1, momentum=0.9, nesterov=True), 'sgd', None),
    'sgd_decay': (optimizers.SGD, dict(lr=0.1, momentum=0.5, decay=0.1), 'sgd', None),
    'sgd_clipnorm': (optimizers.SGD, dict(lr=0.1, clipnorm=0.1), 'sgd', None),
    'sgd_clipvalue': (optimizers.SGD, dict(lr=0.1, clipvalue=0.05), 'sgd', None),
    'sgd_maxnorm': (optimizers.SGD, dict(lr=0.5, momentum=0.9), 'sgd',
                    (constraints.MaxNorm(m=0.6), lambda p: np_maxnorm(p, 0.6))),
    'rmsprop': (optimizers.RMSprop, dict(lr=0.01), 'rmsprop', None),
    'rmsprop_decay': (optimizers.RMSprop, dict(lr=0.01, rho=0.8, decay=0.1), 'rmsprop', None),
    'adagrad': (optimizers.Adagrad, dict(lr=0.1), 'adagrad', None),
    'adagrad_decay': (optimizers.Adagrad, dict(lr=0.1, decay=0.2), 'adagrad', None),
    'adadelta': (optimizers.Adadelta, dict(), 'adadelta', None),
    'adadelta_decay': (optimizers.Adadelta, dict(lr=0.5, decay=0.1), 'adadelta', None),
    'adam': (optimizers.Adam, dict(lr=0.01), 'adam', None),
    'adam_decay_clip_nonneg': (optimizers.Adam, dict(lr=0.05, decay=0.1, clipnorm=0.2), 'adam',
                               (constraints.NonNeg(), np_nonneg)),
    'adamax': (optimizers.Adamax, dict(lr=0.01), 'adamax', None),
    'adamax_decay': (optimizers.Adamax, dict(lr=0.01, beta_2=0.99, decay=0.1), 'adamax', None),
    'nadam': (optimizers.Nadam, dict(lr=0.01), 'nadam', None),
    'nadam_clipvalue': (optimizers.Nadam, dict(lr=0.01, schedule_decay=0.5, clipvalue=0.05),
                        'nadam', None),
}
DEFAULT_LR = {'sgd': 0.01, 'rmsprop': 0.001, 'adagrad': 0.01, 'adadelta': 1.0, 'adam': 0.001,
              'adamax': 0.002, 'nadam': 0.002}


def build_and_run(names, mode):
    """Build the named configurations into one K.function; run 3 steps, then a 4th
    after changing some learning rates with K.set_value."""
    Xv, Yv = K.variable(X), K.variable(Y)
    setups, updates = {}, []
    for name in names:
        cls, kw, kind, cons = CONFIGS[name]
        W, b = K.variable(W0, name=name + '_W'), K.variable(B0, name=name + '_b')
        loss = K.mean(K.square(K.dot(Xv, W) + b - Yv))
        opt = cls(**kw)
        cdict = {W: cons[0]} if cons else {}
        ups = opt.get_updates([W, b], cdict, loss)
        updates.extend(ups)
        np_kw = dict(kw)
        lr = np_kw.pop('lr', DEFAULT_LR[kind])
        ref = NumpyOpt(kind, lr, np_constraint=cons[1] if cons else None, **np_kw)
        setups[name] = dict(opt=opt, params=[W, b], ups=ups, ref=ref, ref_params=[W0, B0])
    step = K.function([], [], updates=updates, mode=mode)
    history = {name: [] for name in names}
    for i in range(4):
        if i == 3:  # hyper-parameters are variables: changes take effect without recompiling
            for name, lr in (('sgd', 0.), ('adam', 0.05), ('rmsprop_decay', 0.02)):
                if name in setups:
                    K.set_value(setups[name]['opt'].lr, lr)
                    setups[name]['ref'].lr = f32(lr)
        step([])
        for name, s in setups.items():
            s['ref_params'] = s['ref'].step(s['ref_params'])
            history[name].append(([K.get_value(p) for p in s['params']], s['ref_params']))
    return setups, history


def assert_history_matches(history, name):
    for step, (got, want) in enumerate(history[name]):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=2e-4, atol=2e-6,
                                       err_msg='%s, step %d' % (name, step + 1))


@pytest.fixture(scope='module')
def trained():
    return build_and_run(sorted(CONFIGS), MODE)


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_steps_match_numpy(trained, name):
    setups, history = trained
    assert_history_matches(history, name)
    # the parameters really moved
    assert not np.allclose(history[name][0][0][0], W0)


def test_default_linker_smoke():
    """A few configurations compiled by PyTensor's default linker (Numba)."""
    names = ['sgd_nesterov', 'adam']
    setups, history = build_and_run(names, None)
    for name in names:
        assert_history_matches(history, name)


def test_lr_change_took_effect(trained):
    _, history = trained
    # plain SGD with lr set to 0 before step 4 does not move at step 4
    np.testing.assert_array_equal(history['sgd'][3][0][0], history['sgd'][2][0][0])
    assert not np.array_equal(history['adam'][3][0][0], history['adam'][2][0][0])


def test_constraints_and_clipping_were_active(trained):
    _, history = trained
    W = history['sgd_maxnorm'][2][0][0]
    assert np.allclose(np.sqrt((W ** 2).sum(axis=0)), 0.6, atol=1e-5)
    assert (history['adam_decay_clip_nonneg'][0][0][0] >= 0).all()
    assert (history['adam_decay_clip_nonneg'][0][0][0] == 0).any()
    g = np_loss_grads(W0, B0)
    assert np.sqrt(sum((x ** 2).sum() for x in g)) > 0.1       # clipnorm 0.1 bites
    assert max(np.abs(x).max() for x in g) > 0.05                # clipvalue 0.05 bites
    # clipped SGD moved by exactly lr * clipnorm in global norm at the first step
    (Wc, bc), _ = history['sgd_clipnorm'][0]
    moved = np.sqrt(((Wc - W0) ** 2).sum() + ((bc - B0) ** 2).sum())
    assert np.isclose(moved, 0.1 * 0.1, rtol=1e-4)


def test_updates_are_float32_pairs(trained):
    setups, _ = trained
    for s in setups.values():
        for upd in s['ups']:
            assert isinstance(upd, tuple) and len(upd) == 2
            assert K.dtype(upd[1]) == 'float32'


EXPECTED_WEIGHTS = {  # (count with 2 params, has iterations first)
    'sgd': (3, True), 'rmsprop': (2, False), 'adagrad': (2, False), 'adadelta': (4, False),
    'adam': (5, True), 'adamax': (5, True), 'nadam': (5, True),
}


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_weights_order_and_values(trained, name):
    setups, _ = trained
    s = setups[name]
    opt, ref = s['opt'], s['ref']
    count, has_it = EXPECTED_WEIGHTS[ref.kind]
    weights = opt.get_weights()
    assert len(opt.weights) == count
    shapes = [w.shape for w in weights]
    if has_it:
        assert opt.weights[0] is opt.iterations and shapes[0] == ()
        assert weights[0] == ref.it
        shapes, weights = shapes[1:], weights[1:]
    else:
        assert all(w is not opt.iterations for w in opt.weights)
    assert shapes == [(3, 2), (2,)] * (len(shapes) // 2)
    # slot values in order: all first slots (per param), then the second slots
    want = [ref.state[i]['a'] for i in range(2)] + [ref.state[i]['b'] for i in range(2)]
    for got, w in zip(weights, want):
        np.testing.assert_allclose(got, w, rtol=2e-4, atol=2e-6)


def test_iterations_only_counted_with_decay(trained):
    setups, _ = trained
    it = {name: float(K.get_value(s['opt'].iterations)) for name, s in setups.items()}
    assert it['sgd'] == 0. and it['rmsprop'] == 0. and it['adagrad'] == 0.
    assert it['adadelta'] == 0. and it['sgd_maxnorm'] == 0.
    assert it['sgd_decay'] == 4. and it['rmsprop_decay'] == 4. and it['adadelta_decay'] == 4.
    assert it['adam'] == 4. and it['adamax'] == 4. and it['nadam'] == 4.
    assert float(K.get_value(setups['nadam']['opt'].m_schedule)) < 1.
    assert setups['nadam']['opt'].m_schedule not in setups['nadam']['opt'].weights


def test_set_weights_roundtrip_and_errors(trained):
    setups, _ = trained
    opt = setups['adam']['opt']
    saved = opt.get_weights()
    opt.set_weights([np.zeros_like(w) for w in saved])
    assert all(not w.any() for w in opt.get_weights())
    opt.set_weights(saved)
    for a, b in zip(opt.get_weights(), saved):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match='Length'):
        opt.set_weights(saved[:-1])
    bad = list(saved)
    bad[1] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r'\(3, 2\).*\(2, 3\)'):
        opt.set_weights(bad)


def test_weights_empty_before_get_updates():
    for cls in (optimizers.SGD, optimizers.RMSprop, optimizers.Nadam):
        opt = cls()
        assert opt.weights == [] and opt.updates == [] and opt.get_weights() == []


def test_unknown_kwarg_raises_type_error():
    with pytest.raises(TypeError, match='momentumm'):
        optimizers.SGD(momentumm=0.9)
    with pytest.raises(TypeError):
        optimizers.Adam(learning_rate=0.1)


def test_get_config_defaults():
    fl = f32
    assert optimizers.SGD().get_config() == {'lr': fl(0.01), 'momentum': 0., 'decay': 0.,
                                             'nesterov': False}
    assert optimizers.RMSprop().get_config() == {'lr': fl(0.001), 'rho': fl(0.9), 'decay': 0.,
                                                 'epsilon': 1e-8}
    assert optimizers.Adagrad().get_config() == {'lr': fl(0.01), 'decay': 0., 'epsilon': 1e-8}
    assert optimizers.Adadelta().get_config() == {'lr': 1.0, 'rho': 0.95, 'decay': 0.,
                                                  'epsilon': 1e-8}
    adam_like = {'beta_1': fl(0.9), 'beta_2': fl(0.999), 'decay': 0., 'epsilon': 1e-8}
    assert optimizers.Adam().get_config() == dict(adam_like, lr=fl(0.001))
    assert optimizers.Adamax().get_config() == dict(adam_like, lr=fl(0.002))
    assert optimizers.Nadam().get_config() == {'lr': fl(0.002), 'beta_1': fl(0.9),
                                               'beta_2': fl(0.999), 'epsilon': 1e-8,
                                               'schedule_decay': 0.004}
    assert optimizers.SGD().get_config()['lr'] == 0.009999999776482582
    for value in optimizers.Adam(lr=0.3).get_config().values():
        assert type(value) is float


def test_get_config_clipping_only_when_passed():
    assert 'clipnorm' not in optimizers.SGD().get_config()
    cfg = optimizers.SGD(lr=0.5, clipnorm=1., clipvalue=0.5).get_config()
    assert cfg['clipnorm'] == 1. and cfg['clipvalue'] == 0.5 and cfg['lr'] == 0.5


@pytest.mark.parametrize('cls', [optimizers.SGD, optimizers.RMSprop, optimizers.Adagrad,
                                 optimizers.Adadelta, optimizers.Adam, optimizers.Adamax,
                                 optimizers.Nadam])
def test_from_config_roundtrip(cls):
    opt = cls(lr=0.25, clipvalue=2.)
    clone = cls.from_config(opt.get_config())
    assert clone.get_config() == opt.get_config()
    again = optimizers.optimizer_from_config({'class_name': cls.__name__,
                                              'config': opt.get_config()})
    assert type(again) is cls and again.get_config() == opt.get_config()


def test_set_value_hyper_parameters_show_in_config():
    opt = optimizers.Adam()
    K.set_value(opt.lr, 0.5)
    K.set_value(opt.beta_1, 0.5)
    cfg = opt.get_config()
    assert cfg['lr'] == 0.5 and cfg['beta_1'] == 0.5
    sgd = optimizers.SGD(momentum=0.9)
    K.set_value(sgd.momentum, 0.25)
    assert sgd.get_config()['momentum'] == 0.25


def test_get_and_aliases():
    for alias, cls in (('sgd', optimizers.SGD), ('rmsprop', optimizers.RMSprop),
                       ('adagrad', optimizers.Adagrad), ('adadelta', optimizers.Adadelta),
                       ('adam', optimizers.Adam), ('adamax', optimizers.Adamax),
                       ('nadam', optimizers.Nadam)):
        assert getattr(optimizers, alias) is cls
        assert type(optimizers.get(alias)) is cls
        assert type(optimizers.get(cls.__name__)) is cls
    opt = optimizers.get('sgd', {'lr': 0.5, 'momentum': 0.9})
    assert opt.get_config()['lr'] == 0.5 and opt.get_config()['momentum'] == f32(0.9)
    inst = optimizers.Adam()
    assert optimizers.get(inst) is inst
    assert type(optimizers.get({'class_name': 'RMSprop', 'config': {'lr': 0.1}})) is \
        optimizers.RMSprop


def test_unknown_optimizer_name():
    with pytest.raises(ValueError) as e:
        optimizers.get('adamw')
    assert 'adamw' in str(e.value) and 'rmsprop' in str(e.value) and 'Nadam' in str(e.value)
    with pytest.raises(ValueError, match='Foo'):
        optimizers.optimizer_from_config({'class_name': 'Foo', 'config': {}})


def test_optimizer_from_config_case_insensitive_and_custom():
    opt = optimizers.optimizer_from_config({'class_name': 'rmsProp', 'config': {'lr': 0.5}})
    assert type(opt) is optimizers.RMSprop and opt.get_config()['lr'] == 0.5

    class MySGD(optimizers.SGD):
        pass
    opt = optimizers.optimizer_from_config({'class_name': 'MySGD', 'config': {'lr': 0.5}},
                                           custom_objects={'MySGD': MySGD})
    assert type(opt) is MySGD


def test_tfoptimizer_unavailable():
    with pytest.raises(NotImplementedError):
        optimizers.optimizer_from_config({'class_name': 'TFOptimizer', 'config': {}})


def test_base_optimizer_abstract():
    with pytest.raises(NotImplementedError):
        optimizers.Optimizer().get_updates([], {}, None)
