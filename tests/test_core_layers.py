"""Core layers against NumPy references, their gradients, masks and configs."""
import numpy as np
import pytest

from keraslike import backend as K
from keraslike.layers import (Activation, ActivityRegularization, Dense, Dropout, Flatten,
                              Highway, Input, Lambda, Masking, MaxoutDense, Permute,
                              RepeatVector, Reshape, SpatialDropout1D, TimeDistributedDense)

RNG = np.random.RandomState(1)
X2 = RNG.randn(5, 6).astype('float32')
X3 = RNG.randn(5, 4, 6).astype('float32')
X3[1, 2] = 0.  # a fully masked timestep for Masking


def sigmoid(z):
    return 1. / (1. + np.exp(-z))


@pytest.fixture(scope='module')
def layers_and_outputs():
    """Build each layer on Input tensors and evaluate all outputs in one compiled function."""
    x2 = Input(shape=(6,))
    x3 = Input(shape=(4, 6))
    built = {
        'dense': Dense(3, activation='tanh'),
        'dense_nd': Dense(2, bias=False),
        'maxout': MaxoutDense(3, nb_feature=2),
        'highway': Highway(activation='relu'),
        'tdd': TimeDistributedDense(2),
        'reshape': Reshape((-1, 2)),
        'permute': Permute((2, 1)),
        'flatten': Flatten(),
        'repeat': RepeatVector(2),
        'activation': Activation('softplus'),
        'lambda': Lambda(lambda t: K.concatenate([t, t * t], axis=-1)),
        'masking': Masking(),
    }
    inputs = {'dense': x2, 'dense_nd': x3, 'maxout': x2, 'highway': x2, 'tdd': x3,
              'reshape': x3, 'permute': x3, 'flatten': x3, 'repeat': x2, 'activation': x2,
              'lambda': x3, 'masking': x3}
    outputs = {name: layer(inputs[name]) for name, layer in built.items()}
    names = sorted(built)
    masking_mask = built['masking'].get_output_mask_at(0)
    f = K.function([x2, x3], [outputs[n] for n in names] + [masking_mask])
    values = f([X2, X3])
    results = dict(zip(names, values[:-1]))
    results['masking_mask'] = values[-1]
    return built, outputs, results


def test_dense_family_against_numpy(layers_and_outputs):
    layers, _, r = layers_and_outputs
    W, b = layers['dense'].get_weights()
    np.testing.assert_allclose(r['dense'], np.tanh(X2.dot(W) + b), rtol=1e-5, atol=1e-6)
    (W,) = layers['dense_nd'].get_weights()
    np.testing.assert_allclose(r['dense_nd'], X3.dot(W), rtol=1e-5, atol=1e-6)
    W, b = layers['maxout'].get_weights()
    assert W.shape == (2, 6, 3) and b.shape == (2, 3)
    ref = np.max(np.einsum('si,kio->sko', X2, W) + b, axis=1)
    np.testing.assert_allclose(r['maxout'], ref, rtol=1e-5, atol=1e-6)
    W, W_carry, b, b_carry = layers['highway'].get_weights()
    np.testing.assert_array_equal(b_carry, np.ones(6))
    t = sigmoid(X2.dot(W_carry) + b_carry)
    ref = np.maximum(X2.dot(W) + b, 0) * t + (1 - t) * X2
    np.testing.assert_allclose(r['highway'], ref, rtol=1e-5, atol=1e-6)
    W, b = layers['tdd'].get_weights()
    np.testing.assert_allclose(r['tdd'], X3.dot(W) + b, rtol=1e-5, atol=1e-6)


def test_shape_layers_against_numpy(layers_and_outputs):
    layers, outputs, r = layers_and_outputs
    np.testing.assert_allclose(r['reshape'], X3.reshape(5, 12, 2))
    np.testing.assert_allclose(r['permute'], X3.transpose(0, 2, 1))
    np.testing.assert_allclose(r['flatten'], X3.reshape(5, 24))
    np.testing.assert_allclose(r['repeat'], np.repeat(X2[:, None], 2, axis=1))
    np.testing.assert_allclose(r['activation'], np.log1p(np.exp(X2)), rtol=1e-5)
    np.testing.assert_allclose(r['lambda'], np.concatenate([X3, X3 ** 2], -1), rtol=1e-6)
    for name, out in outputs.items():
        assert out._keras_shape[1:] == r[name].shape[1:], name
    assert outputs['lambda']._keras_shape == (None, 4, 12)  # inferred without output_shape


def test_masking(layers_and_outputs):
    _, _, r = layers_and_outputs
    expected_mask = (X3 != 0).any(-1)
    assert not expected_mask[1, 2]
    np.testing.assert_array_equal(r['masking_mask'], expected_mask)
    np.testing.assert_allclose(r['masking'], X3 * expected_mask[..., None])


def test_dense_rejects_mask_and_wrong_rank():
    x = Input(shape=(4, 6))
    masked = Masking()(x)
    with pytest.raises(TypeError, match='does not support masking'):
        Dense(2)(masked)
    with pytest.raises(ValueError, match='expected ndim=2, found ndim=3'):
        RepeatVector(2)(x)


def test_dropout_train_and_test_phase():
    x = Input(shape=(2000,))
    y = Dropout(0.25)(x)
    z = SpatialDropout1D(0.5)(Input(shape=(50, 20)))
    assert y._uses_learning_phase
    ones = np.ones((4, 2000), dtype='float32')
    train = K.function([x], [y], givens={K.learning_phase(): 1})
    test = K.function([x], [y], givens={K.learning_phase(): 0})
    out = train([ones])[0]
    assert abs((out == 0).mean() - 0.25) < 0.03
    np.testing.assert_allclose(out[out != 0], 1 / 0.75, rtol=1e-6)
    np.testing.assert_array_equal(test([ones])[0], ones)
    inp = z._keras_history[0].inbound_nodes[0].input_tensors[0]
    spatial = K.function([inp], [z], givens={K.learning_phase(): 1})(
        [np.ones((8, 50, 20), dtype='float32')])[0]
    # whole channels are dropped: each (sample, channel) is constant over time
    assert (spatial.min(axis=1) == spatial.max(axis=1)).all()
    assert 0.3 < (spatial[:, 0] == 0).mean() < 0.7


def test_dense_gradient_matches_finite_differences():
    x = K.placeholder(shape=(None, 3), dtype='float64')
    layer = Dense(2, activation='sigmoid', input_dim=3)
    layer.build((None, 3))
    W64 = K.variable(layer.get_weights()[0], dtype='float64')
    b64 = K.variable(layer.get_weights()[1] + 0.1, dtype='float64')
    layer.W, layer.b = W64, b64
    loss = K.sum(K.square(layer.call(x)))
    grads = K.function([x], K.gradients(loss, [W64, b64]) + [loss])
    xv = np.random.RandomState(3).randn(4, 3)
    gW, gb, _ = grads([xv])
    eps = 1e-6
    for var, g in ((W64, gW), (b64, gb)):
        base = K.get_value(var)
        numeric = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            for sign in (1, -1):
                shifted = base.copy()
                shifted[idx] += sign * eps
                K.set_value(var, shifted)
                numeric[idx] += sign * grads([xv])[2] / (2 * eps)
            K.set_value(var, base)
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8)


def test_activity_regularization_adds_loss():
    x = Input(shape=(3,))
    layer = ActivityRegularization(l1=0.1, l2=0.2)
    y = layer(x)
    assert len(layer.losses) == 1
    xv = np.array([[1., -2., 3.]], dtype='float32')
    penalty, out = K.function([x], [layer.losses[0], y])([xv])
    np.testing.assert_allclose(out, xv)
    np.testing.assert_allclose(penalty, 0.1 * 6 + 0.2 * 14, rtol=1e-6)


def test_configs_keras1_keys_and_keras2_spellings():
    d = Dense(4, input_dim=3, activation='relu', name='d')
    config = d.get_config()
    assert config == {'name': 'd', 'trainable': True, 'batch_input_shape': (None, 3),
                      'input_dtype': 'float32', 'output_dim': 4, 'init': 'glorot_uniform',
                      'activation': 'relu', 'W_regularizer': None, 'b_regularizer': None,
                      'activity_regularizer': None, 'W_constraint': None,
                      'b_constraint': None, 'bias': True, 'input_dim': 3}
    k2 = Dense(units=4, input_dim=3, activation='relu', use_bias=False,
               kernel_initializer='he_normal', kernel_regularizer='l2')
    c2 = k2.get_config()
    assert (c2['output_dim'], c2['bias'], c2['init']) == (4, False, 'he_normal')
    assert c2['W_regularizer']['l2'] == pytest.approx(0.01)
    assert Dropout(rate=0.3).p == 0.3
    assert Dense.from_config(config).get_config() == config
    with pytest.raises(TypeError, match='Keyword argument not understood'):
        Dense(3, input_dimension=4)


def test_set_weights_checks_count_and_shape():
    layer = Dense(2, input_dim=3)
    layer.build((None, 3))
    with pytest.raises(ValueError, match='expecting 2 weights'):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r'\(3, 2\) not compatible with provided weight shape '
                                         r'\(2, 3\)'):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    layer.set_weights([np.ones((3, 2)), np.arange(2)])
    np.testing.assert_array_equal(layer.get_weights()[1], [0, 1])


def test_weight_names_and_auto_names():
    layer = Dense(2, input_dim=3)
    layer.build((None, 3))
    assert layer.name.startswith('dense_')
    assert [w.name for w in layer.weights] == [layer.name + '_W', layer.name + '_b']


def test_reshape_errors_name_the_layer():
    with pytest.raises(ValueError, match='total size of new array must be unchanged'):
        Reshape((5,), name='r')(Input(shape=(2, 3)))
    with pytest.raises(ValueError, match='not fully defined'):
        Flatten()(Input(shape=(None, 3)))
