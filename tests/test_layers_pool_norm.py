"""Pooling, BatchNormalization, noise and advanced-activation layers.

Pooling against per-window loops (Theano padding), BatchNormalization's train
and test behaviour and its moving statistics after ``fit`` against NumPy, noise
statistics in the training phase, activations against their formulas, and real
Keras 1.2.2 fixtures (weights read with h5py, predictions and a training step).
"""
import os

import numpy as np
import pytest

from conv_test_utils import (FIXTURES, apply_layer, build_fixture, load_optimizer_state,
                             ref_pool, round_trip_config, th_to_tf)
from keraslike import backend as K
from keraslike.layers import (ELU, AveragePooling1D, AveragePooling2D, AveragePooling3D,
                              AvgPool2D, BatchNormalization, GaussianDropout, GaussianNoise,
                              GlobalAveragePooling1D, GlobalAveragePooling2D,
                              GlobalAveragePooling3D, GlobalMaxPooling1D, GlobalMaxPooling2D,
                              GlobalMaxPooling3D, LeakyReLU, MaxPool1D, MaxPooling1D,
                              MaxPooling2D, MaxPooling3D, ParametricSoftplus, PReLU, SReLU,
                              ThresholdedReLU)
from keraslike.models import Sequential
from keraslike.optimizers import SGD

MODE = os.environ.get('KERASLIKE_TEST_MODE', 'FAST_COMPILE')
RNG = np.random.RandomState(3)


@pytest.fixture(scope='module', autouse=True)
def test_mode():
    with K.using_mode(MODE):  # back to the setting before, 'none chosen' included
        yield


# ---------------------------------------------------------------- pooling
@pytest.mark.parametrize('cls,mode', [(MaxPooling2D, 'max'), (AveragePooling2D, 'avg')])
@pytest.mark.parametrize('pool,strides,border_mode,ordering',
                         [((2, 2), None, 'valid', 'th'), ((3, 3), (2, 2), 'same', 'th'),
                          ((3, 2), (1, 2), 'same', 'tf'), ((2, 3), (2, 1), 'valid', 'tf')])
def test_pooling2d_layers(cls, mode, pool, strides, border_mode, ordering):
    x = RNG.randn(2, 3, 7, 8).astype('float32')
    layer = cls(pool_size=pool, strides=strides, border_mode=border_mode, dim_ordering=ordering)
    y = apply_layer(layer, x if ordering == 'th' else th_to_tf(x))
    expected = ref_pool(x, pool, strides or pool, border_mode, mode)
    np.testing.assert_allclose(y, expected if ordering == 'th' else th_to_tf(expected),
                               rtol=1e-5, atol=1e-6)
    assert set(round_trip_config(layer).get_config()) == {
        'name', 'trainable', 'pool_size', 'border_mode', 'strides', 'dim_ordering'}


@pytest.mark.parametrize('cls,mode', [(MaxPooling1D, 'max'), (AveragePooling1D, 'avg')])
@pytest.mark.parametrize('length,stride,border_mode', [(2, None, 'valid'), (3, 1, 'same'),
                                                       (3, 2, 'same')])
def test_pooling1d_layers(cls, mode, length, stride, border_mode):
    x = RNG.randn(2, 9, 3).astype('float32')
    layer = cls(pool_length=length, stride=stride, border_mode=border_mode)
    expected = ref_pool(x.transpose(0, 2, 1), (length,), (stride or length,), border_mode,
                        mode).transpose(0, 2, 1)
    np.testing.assert_allclose(apply_layer(layer, x), expected, rtol=1e-5, atol=1e-6)
    assert set(layer.get_config()) == {'name', 'trainable', 'stride', 'pool_length',
                                       'border_mode'}


@pytest.mark.parametrize('cls,mode', [(MaxPooling3D, 'max'), (AveragePooling3D, 'avg')])
def test_pooling3d_layers(cls, mode):
    x = RNG.randn(2, 2, 5, 4, 6).astype('float32')
    layer = cls(pool_size=(2, 1, 3), strides=(2, 1, 2))
    np.testing.assert_allclose(apply_layer(layer, x),
                               ref_pool(x, (2, 1, 3), (2, 1, 2), 'valid', mode), rtol=1e-5,
                               atol=1e-6)


def test_global_pooling_layers():
    seq = RNG.randn(2, 5, 3).astype('float32')
    np.testing.assert_allclose(apply_layer(GlobalMaxPooling1D(), seq), seq.max(1), rtol=1e-6)
    np.testing.assert_allclose(apply_layer(GlobalAveragePooling1D(), seq), seq.mean(1),
                               rtol=1e-5)
    img = RNG.randn(2, 3, 4, 5).astype('float32')
    np.testing.assert_allclose(apply_layer(GlobalMaxPooling2D(), img), img.max((2, 3)))
    np.testing.assert_allclose(apply_layer(GlobalAveragePooling2D(dim_ordering='tf'),
                                           th_to_tf(img)), img.mean((2, 3)), rtol=1e-5)
    vol = RNG.randn(2, 3, 2, 4, 3).astype('float32')
    np.testing.assert_allclose(apply_layer(GlobalMaxPooling3D(), vol), vol.max((2, 3, 4)))
    np.testing.assert_allclose(apply_layer(GlobalAveragePooling3D(data_format='channels_last'),
                                           th_to_tf(vol)), vol.mean((2, 3, 4)), rtol=1e-5)


def test_pooling_keras2_spellings_and_errors():
    p = AvgPool2D(pool_size=3, strides=2, padding='same', data_format='channels_last')
    assert (p.pool_size, p.strides, p.border_mode, p.dim_ordering) == ((3, 3), (2, 2), 'same',
                                                                       'tf')
    q = MaxPool1D(pool_size=4, strides=2, padding='valid')
    assert (q.pool_length, q.stride) == (4, 2)
    with pytest.raises(ValueError, match="Invalid border mode for MaxPooling2D: 'full'"):
        MaxPooling2D(border_mode='full')
    # Keras 1.2.2 on Theano: a zero-length axis, not an error (tests/test_zero_size_outputs.py)
    with pytest.warns(UserWarning, match=r'pool_big: the pool size \(3, 3\) is larger than its '
                                         r'input shape \(None, 1, 2, 5\)'):
        Sequential([MaxPooling2D((3, 3), input_shape=(1, 2, 5), name='pool_big',
                                 dim_ordering='th')])
    with pytest.raises(ValueError, match='expected ndim=3, found ndim=4'):
        Sequential([MaxPooling1D(input_shape=(2, 3, 4))])


# ---------------------------------------------------------------- BatchNormalization
def test_batchnorm_mode0_train_test_and_moving_statistics_after_fit():
    x = (RNG.randn(16, 3, 4, 2) * [[[[2.]], [[0.5]], [[1.]]]] + [[[[1.]], [[-2.]], [[0.]]]])
    x = x.astype('float32')
    bn = BatchNormalization(axis=1, momentum=0.8, epsilon=1e-3, input_shape=(3, 4, 2))
    model = Sequential([bn])
    # lr=0: only the moving statistics change during fit
    model.compile(SGD(lr=0.), 'mse')
    gamma, beta = RNG.rand(3).astype('float32') + 0.5, RNG.randn(3).astype('float32')
    bn.set_weights([gamma, beta, np.zeros(3, 'float32'), np.ones(3, 'float32')])
    shape = (1, 3, 1, 1)
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    train_out = K.function([model.inputs[0], K.learning_phase()], [model.outputs[0]])([x, 1])[0]
    np.testing.assert_allclose(train_out, (x - mean.reshape(shape)) / np.sqrt(
        var.reshape(shape) + 1e-3) * gamma.reshape(shape) + beta.reshape(shape), rtol=1e-4,
        atol=1e-4)
    model.fit(x, np.zeros_like(x), batch_size=16, nb_epoch=2, verbose=0, shuffle=False)
    running_mean, running_std = bn.get_weights()[2:]
    # two updates of running = 0.8 running + 0.2 batch; Keras 1 on Theano 1.0 stores var + eps
    np.testing.assert_allclose(running_mean, mean * (1 - 0.8 ** 2), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(running_std, 0.8 ** 2 + (var + 1e-3) * (1 - 0.8 ** 2), rtol=1e-4)
    test_out = model.predict(x, batch_size=16)
    np.testing.assert_allclose(test_out, (x - running_mean.reshape(shape)) / np.sqrt(
        running_std.reshape(shape) + 1e-3) * gamma.reshape(shape) + beta.reshape(shape),
        rtol=1e-4, atol=1e-4)
    assert bn.uses_learning_phase
    assert [w.name.split('_', 1)[1] for w in bn.weights] == [
        '1_gamma', '1_beta', '1_running_mean', '1_running_std']
    assert bn.trainable_weights == bn.weights[:2]


def test_batchnorm_modes_1_and_2():
    x = RNG.randn(6, 5).astype('float32') * 3 + 1
    m1 = BatchNormalization(mode=1, epsilon=1e-3)
    y1 = apply_layer(m1, x)
    std = np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y1, (x - x.mean(-1, keepdims=True)) / (std + 1e-3), rtol=1e-4,
                               atol=1e-5)
    m2 = BatchNormalization(mode=2)
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    np.testing.assert_allclose(apply_layer(m2, x, phase=0), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(apply_layer(m2, x, phase=1), expected, rtol=1e-4, atol=1e-5)
    assert not m2.uses_learning_phase and m2.updates == []
    assert set(round_trip_config(m2).get_config()) == {
        'name', 'trainable', 'epsilon', 'mode', 'axis', 'gamma_regularizer', 'beta_regularizer',
        'momentum'}
    with pytest.raises(ValueError, match='Invalid BatchNormalization mode 3'):
        BatchNormalization(mode=3)


# ---------------------------------------------------------------- noise
def test_noise_layers_train_and_test_phases():
    x = np.ones((200, 50), dtype='float32')
    noise = GaussianNoise(0.5)
    np.testing.assert_array_equal(apply_layer(noise, x, phase=0), x)
    noisy = apply_layer(noise, x, phase=1) - x
    assert abs(noisy.mean()) < 0.02 and abs(noisy.std() - 0.5) < 0.02
    drop = GaussianDropout(p=0.2)
    np.testing.assert_array_equal(apply_layer(drop, x, phase=0), x)
    factor = apply_layer(drop, x, phase=1)
    assert abs(factor.mean() - 1) < 0.02 and abs(factor.std() - np.sqrt(0.2 / 0.8)) < 0.02
    assert noise.uses_learning_phase and drop.uses_learning_phase
    assert GaussianNoise(stddev=0.3).sigma == 0.3 and GaussianDropout(rate=0.1).p == 0.1
    assert round_trip_config(drop).get_config()['p'] == 0.2


# ---------------------------------------------------------------- advanced activations
def test_fixed_advanced_activations():
    x = RNG.randn(4, 6).astype('float32')
    np.testing.assert_allclose(apply_layer(LeakyReLU(0.2), x), np.where(x > 0, x, 0.2 * x),
                               rtol=1e-6)
    np.testing.assert_allclose(apply_layer(ELU(0.7), x), np.where(x > 0, x, 0.7 * np.expm1(x)),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(apply_layer(ThresholdedReLU(0.3), x), np.where(x > 0.3, x, 0),
                               rtol=1e-6)


def test_parametric_activations():
    x = RNG.randn(3, 2, 4, 5).astype('float32')
    prelu = PReLU(init='uniform', shared_axes=[2, 3])
    apply_layer(prelu, x)
    assert K.int_shape(prelu.alphas) == (2, 1, 1) and prelu.weights[0].name.endswith('_alphas')
    alphas = RNG.rand(2, 1, 1).astype('float32')
    prelu.set_weights([alphas])
    np.testing.assert_allclose(apply_layer(prelu, x), np.where(x > 0, x, alphas * x), rtol=1e-5,
                               atol=1e-6)
    psp = ParametricSoftplus(alpha_init=0.3, beta_init=2.)
    np.testing.assert_allclose(apply_layer(psp, x), 0.3 * np.log1p(np.exp(2. * x)), rtol=1e-4)
    assert [K.int_shape(w) for w in psp.weights] == [(2, 4, 5), (2, 4, 5)]
    srelu = SReLU(shared_axes=[1])
    apply_layer(srelu, x)
    assert [K.int_shape(w) for w in srelu.weights] == [(1, 4, 5)] * 4
    t_l, a_l, t_r, a_r = [RNG.randn(1, 4, 5).astype('float32') for _ in range(4)]
    srelu.set_weights([t_l, a_l, t_r, a_r])
    t_r_actual = t_l + np.abs(t_r)
    # Keras 1: t_left + relu(x - t_left, a_left, max_value=t_right_actual - t_left)
    #          + relu(x - t_right_actual) * a_right
    z = x - t_l
    expected = (t_l + np.minimum(np.where(z > 0, z, a_l * z), t_r_actual - t_l)
                + np.maximum(x - t_r_actual, 0) * a_r)
    np.testing.assert_allclose(apply_layer(srelu, x), expected, rtol=1e-5, atol=1e-5)
    assert set(srelu.get_config()) == {'name', 'trainable', 't_left_init', 'a_left_init',
                                       't_right_init', 'a_right_init'}
    with pytest.raises(ValueError, match='shared axis 4 is out of range'):
        apply_layer(PReLU(shared_axes=[4]), x)


# ---------------------------------------------------------------- Keras 1.2.2 fixtures
@pytest.mark.parametrize('name', ['batchnorm', 'batchnorm_conv', 'batchnorm_mode2',
                                  'advanced_acts'])
def test_keras122_fixture_predict_and_train_step(name):
    model, data = build_fixture(name)
    np.testing.assert_allclose(model.predict(data['x0'], batch_size=8), data['y0'], atol=1e-5)
    load_optimizer_state(model, name)
    loss = np.atleast_1d(model.train_on_batch(data['bx0'], data['by0']))
    np.testing.assert_allclose(loss, data['tob_out_reload'], rtol=1e-5, atol=1e-6)
    # includes the moving statistics that BatchNormalization updated in that step
    np.testing.assert_allclose(model.predict(data['x0']), data['after_reload0'], atol=5e-5)


def test_keras122_noise_fixture_predicts_without_noise():
    model, data = build_fixture('noise_layers')
    np.testing.assert_allclose(model.predict(data['x0']), data['y0'], atol=1e-5)
