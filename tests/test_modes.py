"""A representative subset under every installed execution mode: NUMBA, C and JAX.

The same small MLP (with dropout) is built in each mode from the same
weights; predict and evaluate must agree across modes and with NumPy, and
fit must train. NUMBA and C draw the same dropout masks (NumPy's generator),
so their whole training runs agree too; JAX draws its own masks, so its run
is checked against NumPy from its own weights. Also: a backend function
with updates and gradients, mixing modes on one variable, JAX's static-shape
fallback, mode selection and the C mode's BLAS detection.
"""
import importlib.util
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from keraslike import backend as K
from keraslike.layers import Dense, Dropout
from keraslike.models import Sequential

HAVE_JAX = importlib.util.find_spec('jax') is not None
HAVE_CXX = bool(shutil.which('g++') or shutil.which('c++'))
MODES = ['NUMBA'] + (['C'] if HAVE_CXX else []) + (['JAX'] if HAVE_JAX else [])

RNG = np.random.RandomState(0)
X = RNG.randn(200, 8)                                  # float64 on purpose: converted once
LABELS = (X @ RNG.randn(8, 3)).argmax(1)
Y = np.eye(3)[LABELS]


@pytest.fixture
def restore_mode():
    yield
    K.set_mode(None)


def _model(mode, weights=None):
    np.random.seed(42)   # the dropout generator's seed is drawn from NumPy's global one
    model = Sequential([Dense(16, input_dim=8, activation='relu'), Dropout(0.3),
                        Dense(3, activation='softmax')])
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'],
                  mode=mode)
    if weights is not None:
        model.set_weights(weights)
    return model


def _numpy_forward(weights, x):
    w1, b1, w2, b2 = weights
    z = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    z = np.exp(z - z.max(1, keepdims=True))
    return z / z.sum(1, keepdims=True)


def _xent(p, y):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(np.mean(-(y * np.log(p)).sum(1)))


@pytest.fixture(scope='module')
def runs():
    """Per mode: predictions and evaluation before/after a 3-epoch fit from shared weights."""
    start = _model('NUMBA').get_weights()
    out = {}
    for mode in MODES:
        model = _model(mode, start)
        before = (model.predict(X, batch_size=64), model.evaluate(X, Y, batch_size=64, verbose=0))
        np.random.seed(7)  # the same shuffles in every mode
        hist = model.fit(X, Y, batch_size=32, nb_epoch=3, verbose=0)
        after = (model.predict(X, batch_size=64), model.evaluate(X, Y, batch_size=64, verbose=0))
        out[mode] = {'before': before, 'after': after, 'loss': hist.history['loss'],
                     'weights': model.get_weights(), 'start': start}
    K.set_mode(None)
    return out


@pytest.mark.parametrize('mode', MODES)
def test_predict_and_evaluate_match_numpy(runs, mode):
    r = runs[mode]
    expected = _numpy_forward(r['start'], X)
    np.testing.assert_allclose(r['before'][0], expected, rtol=1e-4, atol=1e-6)
    loss, acc = r['before'][1]
    assert loss == pytest.approx(_xent(expected, Y), rel=1e-4)
    assert acc == pytest.approx(np.mean(expected.argmax(1) == LABELS), abs=1e-6)
    # after training: the weights read back are the ones the compiled functions used
    trained = _numpy_forward(r['weights'], X)
    np.testing.assert_allclose(r['after'][0], trained, rtol=1e-4, atol=1e-6)
    assert r['after'][1][0] == pytest.approx(_xent(trained, Y), rel=1e-4)
    assert all(isinstance(w, np.ndarray) and w.flags.writeable for w in r['weights'])


@pytest.mark.parametrize('mode', MODES)
def test_fit_with_dropout_trains(runs, mode):
    loss = runs[mode]['loss']
    assert len(loss) == 3 and all(np.isfinite(loss))
    assert loss[-1] < loss[0]
    assert runs[mode]['after'][1][0] < runs[mode]['before'][1][0]


def test_numba_and_c_train_identically(runs):
    if 'C' not in runs:
        pytest.skip('no C compiler')
    np.testing.assert_allclose(runs['C']['loss'], runs['NUMBA']['loss'], rtol=1e-4)
    for wc, wn in zip(runs['C']['weights'], runs['NUMBA']['weights']):
        np.testing.assert_allclose(wc, wn, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize('mode', MODES)
def test_backend_function_updates_and_gradients(mode, restore_mode):
    K.set_mode(mode)
    w = K.variable(np.array([1., 2., 3.]), name='w')
    x = K.placeholder(shape=(None, 3))
    loss = K.sum(K.square(K.dot(x, w)))
    grad = K.gradients(loss, [w])[0]
    step = K.function([x], [loss, grad], updates=[K.update_sub(w, 0.01 * grad)])
    assert step.mode == K.mode()
    xv = np.array([[1., 0., 1.], [0., 1., 1.]])
    wv = np.array([1., 2., 3.])
    for _ in range(3):
        got_loss, got_grad = step([xv])
        r = xv @ wv
        np.testing.assert_allclose(got_loss, (r ** 2).sum(), rtol=1e-5)
        np.testing.assert_allclose(got_grad, 2 * xv.T @ r, rtol=1e-5)
        wv = wv - 0.01 * 2 * xv.T @ r
    np.testing.assert_allclose(K.get_value(w), wv, rtol=1e-5)
    assert K.get_value(w).dtype == np.float32


@pytest.mark.skipif(not HAVE_JAX, reason='jax is not installed')
def test_switching_modes_on_one_variable(restore_mode):
    w = K.variable(np.ones(3), name='w')
    x = K.placeholder(shape=(3,), ndim=1)
    jax_step = K.function([x], [K.sum(w * x)], updates=[(w, w * 2.)], mode='JAX')
    numba_step = K.function([x], [K.sum(w * x)], updates=[(w, w + 1.)], mode='NUMBA')
    ones = np.ones(3, dtype='float32')
    assert jax_step([ones])[0] == pytest.approx(3.)       # w -> 2 (a jax Array inside)
    value = K.get_value(w)
    value[0] = 99.                                         # a writable copy
    assert numba_step([ones])[0] == pytest.approx(6.)     # reads 2, w -> 3
    K.set_value(w, np.array([5., 5., 5.]))
    assert jax_step([ones])[0] == pytest.approx(15.)      # w -> 10
    np.testing.assert_allclose(K.get_value(w), 10.)


@pytest.mark.skipif(not HAVE_JAX, reason='jax is not installed')
def test_jax_updates_reuse_the_buffers_of_the_old_values(restore_mode):
    """Updated variables are donated to XLA: the old buffer is gone after a step, while
    copies read before it (``K.get_value``) and a variable only read keep their values."""
    w = K.variable(np.ones(3), name='w')
    scale = K.variable(np.full(3, 2.), name='scale')     # read, never updated
    x = K.placeholder(shape=(3,), ndim=1)
    step = K.function([x], [K.sum(w * x)], updates=[(w, w * scale)], mode='JAX')
    ones = np.ones(3, dtype='float32')
    step([ones])
    before = K.get_value(w)
    buffer = w.get_value(borrow=True, return_internal_type=True)
    kept = scale.get_value(borrow=True, return_internal_type=True)
    assert step([ones])[0] == pytest.approx(6.)
    assert buffer.is_deleted()                       # donated: written in place
    assert not getattr(kept, 'is_deleted', lambda: False)()
    np.testing.assert_allclose(before, 2.)           # the copy is untouched
    np.testing.assert_allclose(K.get_value(w), 4.)
    np.testing.assert_allclose(K.get_value(scale), 2.)


@pytest.mark.skipif(not HAVE_JAX, reason='jax is not installed')
def test_jax_static_shape_fallback_handles_the_last_batch(restore_mode):
    """A size computed from data cannot trace with a dynamic batch: compiled per shape."""
    K.set_mode('JAX')
    x = K.placeholder(shape=(None, 4))
    n = K.cast(K.sum(K.ones_like(x[:, 0])), 'int32')      # the batch size, as data
    f = K.function([x], [K.repeat_elements(K.expand_dims(K.sum(x, axis=1), 1), 2, 1)
                         * K.cast(n, K.floatx())])
    for rows in (5, 5, 3):
        xv = np.arange(rows * 4, dtype='float32').reshape(rows, 4)
        expected = np.repeat(xv.sum(1, keepdims=True), 2, 1) * rows
        np.testing.assert_allclose(f([xv])[0], expected)


def test_mode_selection(tmp_path, restore_mode):
    K.set_mode('c')
    assert K.mode() == 'CVM'
    K.set_mode(None)
    assert K.mode() == ('JAX' if HAVE_JAX else 'NUMBA')
    (tmp_path / 'keraslike.json').write_text('{"mode": "numba"}')
    code = 'from keraslike import backend as K; print(K.mode())'
    env = dict(os.environ, KERASLIKE_HOME=str(tmp_path))
    env.pop('KERASLIKE_MODE', None)
    run = lambda e: subprocess.run([sys.executable, '-c', code], env=e, capture_output=True,  # noqa
                                   text=True, check=True).stdout.split()[-1]
    assert run(env) == 'NUMBA'
    assert run(dict(env, KERASLIKE_MODE='C')) == 'CVM'
    # compile(mode=...) overrides the configured mode for one model
    model = _model('NUMBA')
    model.predict(X[:4])
    assert model.model.predict_function.mode == 'NUMBA'


def test_c_mode_links_the_system_openblas():
    code = ('from keraslike.backend.runtime import blas; import pytensor; '
            'print(blas._BLAS_STATE["source"], repr(pytensor.config.blas__ldflags))')
    env = {k: v for k, v in os.environ.items() if k not in ('PYTENSOR_FLAGS', 'PYTENSORRC')}
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    from keraslike.backend.runtime import blas
    if blas.find_openblas():
        assert out == ['openblas', "'-lopenblas'"]
    else:
        assert out[0] == 'search'
    # a user's choice is kept
    env['PYTENSOR_FLAGS'] = 'blas__ldflags=-lblas'
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ['user', "'-lblas'"]


@pytest.mark.skipif(not HAVE_JAX, reason='jax is not installed')
def test_float64_graphs_in_jax(restore_mode):
    """Default mode: float64 runs in NUMBA; explicit JAX: 64-bit, scoped to that function."""
    x = K.placeholder(shape=(None, 2), dtype='float64')
    xv = np.full((3, 2), 1 + 1e-12)
    K.set_mode(None)
    f = K.function([x], [K.sum(x, axis=1)])
    assert f.mode == ('NUMBA' if K.mode() == 'JAX' else K.mode())
    g = K.function([x], [K.sum(x, axis=1)], mode='JAX')
    out = g([xv])[0]
    assert g.mode == 'JAX' and out.dtype == np.float64
    np.testing.assert_allclose(out, 2 * (1 + 1e-12), rtol=1e-15)
    y = K.placeholder(shape=(None, 2))
    h = K.function([y], [K.sum(y, axis=1)], mode='JAX')
    assert h([xv])[0].dtype == np.float32    # x64 did not leak into float32 graphs


@pytest.mark.parametrize('mode', MODES)
def test_compiled_float32_graphs_hold_no_float64(mode, restore_mode):
    """No float64 creeps into a float32 model's compiled training graph."""
    model = _model(mode)
    model.train_on_batch(X[:32].astype('float32'), Y[:32])
    fgraph = model.model.train_function._fn.maker.fgraph
    dtypes = {str(v.dtype) for node in fgraph.apply_nodes for v in node.inputs + node.outputs
              if hasattr(v, 'dtype')}
    assert 'float32' in dtypes and 'float64' not in dtypes
