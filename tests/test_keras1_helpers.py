"""Keras 1 helpers made importable from their Keras 1 paths (issue 15): they work, and
match NumPy references / Keras 1's behaviour."""
import hashlib

import numpy as np
import pytest

from keraslike import backend as K


def test_weighted_objective_matches_numpy():
    from keraslike.engine.training import weighted_objective
    from keraslike.objectives import mean_squared_error
    rng = np.random.RandomState(0)
    yt, yp = rng.rand(4, 3).astype(K.floatx()), rng.rand(4, 3).astype(K.floatx())
    w = np.array([1., 0., 2., 0.5], K.floatx())
    mask = np.array([1, 1, 0, 1], K.floatx())
    t, p, wv, m = (K.placeholder(ndim=2), K.placeholder(ndim=2), K.placeholder(ndim=1),
                   K.placeholder(ndim=1))
    fn = weighted_objective(mean_squared_error)
    f = K.function([t, p, wv, m], [fn(t, p, wv), fn(t, p, wv, m)])
    plain, masked = f([yt, yp, w, mask])
    score = ((yt - yp) ** 2).mean(axis=-1)
    nonzero = np.mean(w != 0)
    np.testing.assert_allclose(plain, np.mean(score * w / nonzero), rtol=1e-5)
    np.testing.assert_allclose(masked, np.mean(score * mask / mask.mean() * w / nonzero),
                               rtol=1e-5)


def test_collect_metrics_keras1_rules():
    from keraslike.engine.training import collect_metrics
    assert collect_metrics(None, ['a', 'b']) == [[], []]
    assert collect_metrics(['acc'], ['a', 'b']) == [['acc'], ['acc']]
    assert collect_metrics({'b': 'mse'}, ['a', 'b']) == [[], ['mse']]
    with pytest.raises(ValueError, match='"c"'):
        collect_metrics({'c': 'mse'}, ['a', 'b'])
    with pytest.raises(TypeError, match='list or dictionary'):
        collect_metrics('accuracy', ['a'])


def test_standardize_weights_per_output_and_loss_target_check():
    from keraslike.engine import training
    w = np.ones(3)
    assert training.standardize_sample_weights(None, ['a', 'b']) == [None, None]
    assert training.standardize_sample_weights({'b': w}, ['a', 'b'])[1] is w
    assert training.standardize_class_weights({0: 2.}, ['a']) == [{0: 2.}]
    with pytest.raises(ValueError, match='class_weight'):
        training.standardize_class_weights([{}, {}], ['a'] * 3)
    from keraslike.objectives import categorical_crossentropy
    # Keras 1's three-argument call; the error still names the output
    with pytest.raises(ValueError, match='categorical_crossentropy.*output_1'):
        training.check_loss_and_target_compatibility(
            [np.zeros((5, 1))], [categorical_crossentropy], [(None, 10)])
    training.check_loss_and_target_compatibility(
        [np.zeros((5, 10))], [categorical_crossentropy], [(None, 10)])
    arrays = training.standardize_input_data([np.zeros((2, 3))], ['x'], [(5, 3)],
                                             check_batch_axis=False)
    assert arrays[0].shape == (2, 3)
    assert training.make_batches(5, 2) == [(0, 2), (2, 4), (4, 5)]


def test_engine_merge_is_the_function():
    from keraslike.engine import Input, Merge, merge
    a, b = Input(shape=(3,)), Input(shape=(3,))
    assert callable(merge) and not isinstance(merge, type(np))
    assert merge([a, b], mode='concat')._keras_shape == (None, 6)
    from keraslike.layers.core import Merge as CoreMerge
    assert CoreMerge is Merge


def test_time_distributed_dense_matches_numpy():
    from keraslike.layers.recurrent import time_distributed_dense
    rng = np.random.RandomState(1)
    x = rng.rand(2, 3, 4).astype(K.floatx())
    w, b = rng.rand(4, 5).astype(K.floatx()), rng.rand(5).astype(K.floatx())
    xv = K.placeholder(ndim=3)
    f = K.function([xv], [time_distributed_dense(xv, K.variable(w), K.variable(b)),
                          time_distributed_dense(xv, K.variable(w), input_dim=4, output_dim=5,
                                                 timesteps=3)])
    with_bias, without = f([x])
    np.testing.assert_allclose(with_bias, x.dot(w) + b, rtol=1e-5)
    np.testing.assert_allclose(without, x.dot(w), rtol=1e-5)


def test_time_distributed_dense_dropout_shares_mask_over_time():
    from keraslike.layers.recurrent import time_distributed_dense
    x = np.ones((64, 3, 8), K.floatx())
    xv = K.placeholder(ndim=3)
    out = time_distributed_dense(xv, K.variable(np.eye(8)), dropout=0.5)
    train = K.function([xv, K.learning_phase()], [out])([x, 1])[0]
    test = K.function([xv, K.learning_phase()], [out])([x, 0])[0]
    np.testing.assert_allclose(test, x)
    assert set(np.unique(train)) <= {0., 2.} and 0. in train
    # one mask per sequence: every timestep equals the first
    np.testing.assert_array_equal(train, np.repeat(train[:, :1], 3, axis=1))


def test_validate_file_accepts_keras1_md5_hash(tmp_path):
    from keraslike.utils.data_utils import validate_file
    path = tmp_path / 'f.bin'
    path.write_bytes(b'keras')
    md5 = hashlib.md5(b'keras').hexdigest()
    assert validate_file(str(path), md5) and validate_file(str(path), md5_hash=md5)
    assert not validate_file(str(path), md5_hash='0' * 32)
    with pytest.raises(TypeError, match='not both'):
        validate_file(str(path), md5, md5_hash=md5)


def test_multiclass_logloss_keras1_keywords():
    from keraslike.utils.np_utils import multiclass_logloss
    p = np.array([[0.25, 0.75], [0.5, 0.5]])
    np.testing.assert_allclose(multiclass_logloss(p=p, y=[2, 1]),
                               -(np.log(0.75) + np.log(0.5)) / 2)
