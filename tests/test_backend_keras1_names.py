"""Keras 1 backend names added for issue 15: CTC loss and sparse predicates, checked
against NumPy references (CTC: brute force over every alignment of tiny sequences)."""
import itertools

import numpy as np
import pytest

from keraslike import backend as K


def _collapse(path, blank):
    out, prev = [], None
    for c in path:
        if c != prev and c != blank:
            out.append(c)
        prev = c
    return out


def ctc_brute_force(probs, labels):
    """-log of the summed probability of every path that collapses to ``labels``."""
    steps, classes = probs.shape
    total = 0.
    for path in itertools.product(range(classes), repeat=steps):
        if _collapse(path, classes - 1) == list(labels):
            total += np.prod([probs[t, c] for t, c in enumerate(path)])
    return -np.log(total)


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.fixture(scope='module')
def ctc_fns():
    y_true = K.placeholder(ndim=2)
    y_pred = K.placeholder(ndim=3)
    in_len = K.placeholder(ndim=2, dtype='int32')
    lab_len = K.placeholder(ndim=2, dtype='int32')
    cost = K.ctc_batch_cost(y_true, y_pred, in_len, lab_len)
    grad = K.gradients(K.sum(cost), [y_pred])[0]
    return K.function([y_true, y_pred, in_len, lab_len], [cost, grad])


def test_ctc_batch_cost_matches_brute_force(ctc_fns):
    rng = np.random.RandomState(0)
    probs = _softmax(rng.randn(4, 5, 3)).astype(K.floatx())    # blank is class 2
    labels = np.array([[0, 1], [1, 1], [0, 0], [1, 0]], dtype=K.floatx())
    in_len = np.array([[5], [5], [4], [3]], dtype='int32')
    lab_len = np.array([[2], [2], [1], [0]], dtype='int32')    # last: empty label
    cost, grad = ctc_fns([labels, probs, in_len, lab_len])
    assert cost.shape == (4, 1)
    expected = [ctc_brute_force(probs[i, :in_len[i, 0]], labels[i, :lab_len[i, 0]].astype(int))
                for i in range(4)]
    np.testing.assert_allclose(cost[:, 0], expected, rtol=1e-4)
    # timesteps past input_length do not count: no gradient reaches them
    assert np.all(grad[2, 4:] == 0) and np.all(grad[3, 3:] == 0)
    # gradient of sample 0 against central differences of the NumPy reference
    eps = 1e-3
    numeric = np.zeros((5, 3))
    for t in range(5):
        for c in range(3):
            up, down = probs[0].astype('float64').copy(), probs[0].astype('float64').copy()
            up[t, c] += eps
            down[t, c] -= eps
            numeric[t, c] = (ctc_brute_force(up, [0, 1])
                             - ctc_brute_force(down, [0, 1])) / (2 * eps)
    np.testing.assert_allclose(grad[0], numeric, rtol=2e-2, atol=2e-3)


def test_ctc_cost_single_sequence_and_one_timestep():
    predict = K.placeholder(ndim=2)
    labels = K.placeholder(ndim=1, dtype='int32')
    f = K.function([predict, labels], [K.ctc_cost(predict, labels)])
    probs = _softmax(np.random.RandomState(1).randn(1, 3)).astype(K.floatx())
    np.testing.assert_allclose(f([probs, np.array([1], 'int32')])[0], -np.log(probs[0, 1]),
                               rtol=1e-5)
    np.testing.assert_allclose(f([probs, np.zeros((0,), 'int32')])[0], -np.log(probs[0, 2]),
                               rtol=1e-5)


def test_ctc_interleave_blanks_and_skip_idxs():
    y = K.placeholder(ndim=1, dtype='int32')
    interleaved = K.ctc_interleave_blanks(y)
    f = K.function([y], [interleaved, K.ctc_create_skip_idxs(interleaved)])
    extended, skips = f([np.array([3, 3, 5], 'int32')])
    np.testing.assert_array_equal(extended, [-1, 3, -1, 3, -1, 5, -1])
    # 3 -> 3 needs the blank between them; 3 -> 5 may skip it (from position 3)
    np.testing.assert_array_equal(skips, [3])


def test_is_sparse_and_to_dense():
    import pytensor.sparse as ps
    import scipy.sparse as sp
    dense = K.placeholder(ndim=2)
    assert not K.is_sparse(dense) and K.to_dense(dense) is dense
    value = sp.random(4, 3, density=0.5, format='csr', random_state=0).astype(K.floatx())
    # K.function feeds NumPy arrays only, so the sparse tensor is a constant here
    sparse = ps.as_sparse_variable(value)
    assert K.is_sparse(sparse)
    np.testing.assert_array_equal(K.eval(K.to_dense(sparse)), value.toarray())


def test_keras1_backend_module_paths():
    from keraslike.backend import common, theano_backend
    assert common.floatx is K.floatx and theano_backend.dot is K.dot
    old = K.floatx()
    try:
        common.set_floatx(floatx='float64')   # Keras 1's keyword
        assert K.floatx() == 'float64'
    finally:
        K.set_floatx(old)
