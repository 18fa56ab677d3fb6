"""Backend ops against NumPy, the learning phase, updates, random seeding and config."""
import os
import subprocess
import sys

import numpy as np
import pytest

from keraslike import backend as K

RNG = np.random.RandomState(0)
A = RNG.randn(3, 4).astype('float32')
B = RNG.randn(4, 5).astype('float32')
C3 = RNG.randn(3, 4, 5).astype('float32')
D3 = RNG.randn(3, 5, 2).astype('float32')


@pytest.fixture(scope='module')
def op_results():
    """One compiled function computing many ops at once (compiles are the slow part)."""
    a = K.placeholder(shape=(None, 4))
    b = K.placeholder(shape=(4, 5))
    c = K.placeholder(shape=(None, 4, 5))
    d = K.placeholder(shape=(None, 5, 2))
    idx = K.placeholder(shape=(None,), dtype='int32')
    exprs = {
        'dot': K.dot(a, b),
        'batch_dot': K.batch_dot(c, d),
        'batch_dot_axes': K.batch_dot(c, c, axes=[2, 2]),
        'batch_dot_vec': K.batch_dot(a, a, axes=1),
        'sum': K.sum(c, axis=1), 'sum_keep': K.sum(c, axis=-1, keepdims=True),
        'mean': K.mean(c, axis=(1, 2)), 'max': K.max(c, axis=2), 'min': K.min(c),
        'prod': K.prod(a, axis=0), 'std': K.std(c, axis=1), 'var': K.var(a),
        'argmax': K.argmax(c), 'argmin': K.argmin(c, axis=1),
        'any': K.any(K.greater(a, 1.), axis=1), 'all': K.all(K.greater(a, -3.)),
        'sqrt': K.sqrt(a), 'clip': K.clip(a, -0.5, 0.5), 'pow': K.pow(a, 2),
        'mean_bool': K.mean(K.equal(K.round(a), 0.)),
        'concat': K.concatenate([a, a * 2], axis=-1), 'reshape': K.reshape(c, (-1, 20)),
        'permute': K.permute_dimensions(c, (0, 2, 1)), 'repeat': K.repeat(a, 3),
        'repeat_el': K.repeat_elements(c, 2, axis=1), 'tile': K.tile(a, (2, 1)),
        'batch_flatten': K.batch_flatten(c), 'expand': K.expand_dims(a, 1),
        'squeeze': K.squeeze(K.expand_dims(a, 1), 1), 'reverse': K.reverse(c, 1),
        'tpad': K.temporal_padding(c, 2), 'sp2d': K.spatial_2d_padding(
            K.reshape(c, (-1, 1, 4, 5)), (1, 2), 'th'),
        'one_hot': K.one_hot(idx, 6), 'gather': K.gather(b, idx),
        'l2n': K.l2_normalize(a, axis=1), 'softmax': K.softmax(a),
        'relu_leaky_cap': K.relu(a, alpha=0.1, max_value=0.8), 'elu': K.elu(a, 0.5),
        'hard_sigmoid': K.hard_sigmoid(a), 'softsign': K.softsign(a), 'softplus': K.softplus(a),
        'in_top_k': K.in_top_k(a, idx, 2),
    }
    names = sorted(exprs)
    f = K.function([a, b, c, d, idx], [exprs[n] for n in names])
    idx_val = np.array([0, 3, 1], dtype='int32')
    values = f([A, B, C3, D3, idx_val])
    return dict(zip(names, values)), idx_val


def test_linear_algebra(op_results):
    r, _ = op_results
    np.testing.assert_allclose(r['dot'], A.dot(B), rtol=1e-5)
    np.testing.assert_allclose(r['batch_dot'], np.einsum('bij,bjk->bik', C3, D3), rtol=1e-5)
    np.testing.assert_allclose(r['batch_dot_axes'], np.einsum('bij,bkj->bik', C3, C3), rtol=1e-5)
    assert r['batch_dot_vec'].shape == (3, 1)
    np.testing.assert_allclose(r['batch_dot_vec'][:, 0], (A * A).sum(1), rtol=1e-5)


def test_reductions(op_results):
    r, _ = op_results
    np.testing.assert_allclose(r['sum'], C3.sum(1), rtol=1e-5)
    np.testing.assert_allclose(r['sum_keep'], C3.sum(-1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(r['mean'], C3.mean((1, 2)), rtol=1e-5)
    np.testing.assert_allclose(r['max'], C3.max(2))
    np.testing.assert_allclose(r['min'], C3.min())
    np.testing.assert_allclose(r['prod'], A.prod(0), rtol=1e-5)
    np.testing.assert_allclose(r['std'], C3.std(1), rtol=1e-4)
    np.testing.assert_allclose(r['var'], A.var(), rtol=1e-4)
    np.testing.assert_array_equal(r['argmax'], C3.argmax(-1))
    np.testing.assert_array_equal(r['argmin'], C3.argmin(1))
    np.testing.assert_array_equal(r['any'], (A > 1).any(1))
    assert bool(r['all']) == bool((A > -3).all())
    assert r['mean_bool'].dtype == np.float32
    np.testing.assert_allclose(r['mean_bool'], (np.round(A) == 0).mean(), rtol=1e-6)


def test_elementwise_and_activations(op_results):
    r, _ = op_results
    np.testing.assert_allclose(r['sqrt'], np.sqrt(np.clip(A, 0, None)), rtol=1e-6)
    np.testing.assert_allclose(r['clip'], np.clip(A, -0.5, 0.5))
    np.testing.assert_allclose(r['pow'], A ** 2, rtol=1e-6)
    np.testing.assert_allclose(r['l2n'], A / np.linalg.norm(A, axis=1, keepdims=True), rtol=1e-5)
    e = np.exp(A - A.max(1, keepdims=True))
    np.testing.assert_allclose(r['softmax'], e / e.sum(1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(r['relu_leaky_cap'], np.minimum(np.where(A > 0, A, 0.1 * A), 0.8),
                               rtol=1e-6)
    np.testing.assert_allclose(r['elu'], np.where(A > 0, A, 0.5 * (np.exp(A) - 1)), rtol=1e-5,
                               atol=1e-7)
    np.testing.assert_allclose(r['hard_sigmoid'], np.clip(0.2 * A + 0.5, 0, 1), rtol=1e-6)
    np.testing.assert_allclose(r['softsign'], A / (1 + np.abs(A)), rtol=1e-6)
    np.testing.assert_allclose(r['softplus'], np.log1p(np.exp(A)), rtol=1e-5)


def test_shape_ops(op_results):
    r, idx = op_results
    np.testing.assert_allclose(r['concat'], np.concatenate([A, 2 * A], -1))
    np.testing.assert_allclose(r['reshape'], C3.reshape(-1, 20))
    np.testing.assert_allclose(r['permute'], C3.transpose(0, 2, 1))
    np.testing.assert_allclose(r['repeat'], np.repeat(A[:, None, :], 3, axis=1))
    np.testing.assert_allclose(r['repeat_el'], np.repeat(C3, 2, axis=1))
    np.testing.assert_allclose(r['tile'], np.tile(A, (2, 1)))
    np.testing.assert_allclose(r['batch_flatten'], C3.reshape(3, -1))
    assert r['expand'].shape == (3, 1, 4)
    np.testing.assert_allclose(r['squeeze'], A)
    np.testing.assert_allclose(r['reverse'], C3[:, ::-1])
    np.testing.assert_allclose(r['tpad'], np.pad(C3, ((0, 0), (2, 2), (0, 0))))
    np.testing.assert_allclose(r['sp2d'], np.pad(C3.reshape(-1, 1, 4, 5),
                                                 ((0, 0), (0, 0), (1, 1), (2, 2))))
    np.testing.assert_allclose(r['one_hot'], np.eye(6)[idx])
    np.testing.assert_allclose(r['gather'], B[idx])
    expected_top2 = [idx[i] in np.argsort(-A[i])[:2] for i in range(3)]
    np.testing.assert_array_equal(r['in_top_k'], expected_top2)


def test_crossentropies_match_numpy():
    out = K.placeholder(shape=(None, 3))
    tgt = K.placeholder(shape=(None, 3))
    itgt = K.placeholder(shape=(None, 1), dtype='int32')
    f = K.function([out, tgt, itgt], [K.categorical_crossentropy(out, tgt),
                                        K.sparse_categorical_crossentropy(out, itgt),
                                        K.binary_crossentropy(out, tgt),
                                        K.categorical_crossentropy(out, tgt, from_logits=True)])
    p = np.array([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]], dtype='float32')
    t = np.array([[0, 0, 1], [1, 0, 0]], dtype='float32')
    cce, scce, bce, logits = f([p, t, np.array([[2], [0]], dtype='int32')])
    np.testing.assert_allclose(cce, -np.log([0.5, 0.9]), rtol=1e-5)
    np.testing.assert_allclose(scce, -np.log([0.5, 0.9]), rtol=1e-5)
    pc = np.clip(p, 1e-7, 1 - 1e-7)
    np.testing.assert_allclose(bce, -(t * np.log(pc) + (1 - t) * np.log(1 - pc)), rtol=1e-5)
    lsm = p - np.log(np.exp(p).sum(1, keepdims=True))
    np.testing.assert_allclose(logits, -(t * lsm).sum(1), rtol=1e-5)


def test_learning_phase_fixed_and_fed():
    x = K.placeholder(shape=(None, 2))
    y = K.in_train_phase(x * 2., x * 3.)
    assert y._uses_learning_phase
    fed = K.function([x, K.learning_phase()], [y])
    ones = np.ones((2, 2), dtype='float32')
    np.testing.assert_allclose(fed([ones, 1])[0], 2 * ones)
    np.testing.assert_allclose(fed([ones, 0])[0], 3 * ones)
    test_fn = K.function([x], [y], givens={K.learning_phase(): 0})
    np.testing.assert_allclose(test_fn([ones])[0], 3 * ones)


def test_dropout_phase_statistics_and_seed():
    x = K.placeholder(shape=(None, 1000))
    y = K.in_train_phase(K.dropout(x, 0.3, seed=7), x)
    train = K.function([x], [y], givens={K.learning_phase(): 1})
    ones = np.ones((20, 1000), dtype='float32')
    out1, out2 = train([ones])[0], train([ones])[0]
    kept = out1 != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(out1[kept], 1 / 0.7, rtol=1e-5)  # inverted dropout
    assert (out1 != out2).any()  # the generator advances between calls
    # the same seed gives the same masks in a fresh graph
    again = K.function([x], [K.in_train_phase(K.dropout(x, 0.3, seed=7), x)],
                       givens={K.learning_phase(): 1})
    np.testing.assert_array_equal(again([ones])[0], out1)


def test_function_updates_and_gradients():
    w = K.variable(np.array([1., 2., 3.]), name='w')
    x = K.placeholder(shape=(3,), ndim=1)
    loss = K.sum(K.square(w * x))
    grad = K.gradients(loss, [w])[0]
    step = K.function([x], [loss, grad], updates=[K.update_sub(w, 0.1 * grad)])
    xv = np.array([1., 1., 2.], dtype='float32')
    loss_v, grad_v = step([xv])
    np.testing.assert_allclose(loss_v, (np.array([1, 2, 6.]) ** 2).sum(), rtol=1e-6)
    np.testing.assert_allclose(grad_v, 2 * np.array([1., 2., 3.]) * xv ** 2, rtol=1e-6)
    np.testing.assert_allclose(K.get_value(w), np.array([1., 2., 3.]) - 0.1 * grad_v, rtol=1e-6)
    assert K.get_value(w).dtype == np.float32
    with pytest.raises(ValueError, match='expects 1 input arrays, got 2'):
        step([xv, xv])


def test_variable_helpers():
    v = K.variable(np.zeros((2, 3)), name='v')
    assert K.int_shape(v) == (2, 3) and K.dtype(v) == 'float32' and K.count_params(v) == 6
    K.set_value(v, np.ones((2, 3)))
    np.testing.assert_array_equal(K.get_value(v), np.ones((2, 3)))
    a, b = K.batch_get_value([v, K.ones((2,))])
    assert a.sum() == 6 and b.sum() == 2
    p = K.placeholder(shape=(None, 5), name='p')
    assert K.int_shape(p) == (None, 5) and K.ndim(p) == 2
    np.testing.assert_allclose(K.eval(K.eye(2) * 3), 3 * np.eye(2))
    var, new = K.moving_average_update(v, K.zeros((2, 3)), 0.9)
    assert var is v


def test_config_setters_and_errors():
    assert K.backend() == 'pytensor'
    assert (K.floatx(), K.epsilon(), K.image_dim_ordering()) == ('float32', 1e-7, 'th')
    K.set_epsilon(1e-5)
    assert K.epsilon() == 1e-5
    K.set_epsilon(1e-7)
    K.set_image_dim_ordering('tf')
    assert K.image_data_format() == 'channels_last'
    K.set_image_dim_ordering('th')
    with pytest.raises(ValueError, match='Unknown floatx'):
        K.set_floatx('int8')
    with pytest.raises(ValueError, match='Unknown dim_ordering'):
        K.set_image_dim_ordering('xy')
    with pytest.raises(ValueError, match='Unknown execution mode'):
        K.set_mode('TURBO')
    assert K.cast_to_floatx(np.arange(3)).dtype == np.float32


def test_config_file_and_environment(tmp_path):
    (tmp_path / 'keraslike.json').write_text('{"epsilon": 0.001, "image_dim_ordering": "tf"}')
    code = ('from keraslike import backend as K; '
            'print(K.epsilon(), K.image_dim_ordering(), K.floatx())')
    env = dict(os.environ, KERASLIKE_HOME=str(tmp_path), KERASLIKE_FLOATX='float64')
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ['0.001', 'tf', 'float64']


def test_l2_normalize_gradient_at_an_all_zero_row_is_finite():
    # a ReLU output row of zeros: the value stays 0, the gradient must not be 0 * inf = NaN
    x = K.placeholder(shape=(None, 3))
    y = K.l2_normalize(x, axis=1)
    f = K.function([x], [y, K.gradients(K.sum(y * K.constant([1., 2., 3.])), [x])[0]])
    xv = np.array([[0., 0., 0.], [3., 0., 4.]], dtype='float32')
    value, grad = f([xv])
    np.testing.assert_allclose(value, [[0, 0, 0], [0.6, 0, 0.8]], rtol=1e-6)
    assert np.isfinite(grad).all()
    # the nonzero row's gradient against central differences
    c = np.array([1., 2., 3.])
    objective = lambda v: (v / np.linalg.norm(v)) @ c  # noqa: E731
    numeric = [(objective(xv[1] + d) - objective(xv[1] - d)) / 2e-3
               for d in np.eye(3) * 1e-3]
    np.testing.assert_allclose(grad[1], numeric, rtol=1e-3, atol=1e-4)
