"""Convolution, upsampling, padding, cropping and locally-connected layers.

Values against SciPy/NumPy references, shape inference against computed
shapes, Keras 1 weights/config keys, Keras 2 spellings, clear errors, and real
Keras 1.2.2 (Theano) fixtures: their stored weights, read with h5py and set in
order, give the stored predictions (flipped-kernel semantics) and one training
step from the saved optimizer state gives Keras' result (gradients).
"""
import json
import os

import numpy as np
import pytest

from conv_test_utils import (FIXTURES, apply_layer, build_fixture, fixture_manifest,
                             kernel_th_to_tf, load_optimizer_state, ref_conv, round_trip_config,
                             th_to_tf)
from keraslike import backend as K
from keraslike.layers import (AtrousConvolution1D, AtrousConvolution2D, Conv1D, Conv2D,
                              Conv2DTranspose, Conv3D, Convolution1D, Convolution2D,
                              Convolution3D, Cropping1D, Cropping2D, Cropping3D, Deconvolution2D,
                              LocallyConnected1D, LocallyConnected2D, SeparableConv2D,
                              SeparableConvolution2D, UpSampling1D, UpSampling2D, UpSampling3D,
                              ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from keraslike.models import Sequential

MODE = os.environ.get('KERASLIKE_TEST_MODE', 'FAST_COMPILE')
RNG = np.random.RandomState(11)


@pytest.fixture(scope='module', autouse=True)
def test_mode():
    with K.using_mode(MODE):  # back to the setting before, 'none chosen' included
        yield


def relu(x):
    return np.maximum(x, 0)


# ---------------------------------------------------------------- convolution values
@pytest.mark.parametrize('ordering', ['th', 'tf'])
@pytest.mark.parametrize('border_mode,subsample', [('valid', (1, 1)), ('same', (2, 1)),
                                                   ('full', (1, 2))])
def test_convolution2d_values_and_weights(ordering, border_mode, subsample):
    x = RNG.randn(2, 3, 7, 6).astype('float32')
    layer = Convolution2D(4, 3, 2, border_mode=border_mode, subsample=subsample,
                          activation='relu', dim_ordering=ordering)
    w = RNG.randn(4, 3, 3, 2).astype('float32')
    b = RNG.randn(4).astype('float32')
    y = apply_layer(layer, x if ordering == 'th' else th_to_tf(x))
    assert [K.int_shape(v) for v in layer.weights] == [
        (4, 3, 3, 2) if ordering == 'th' else (3, 2, 3, 4), (4,)]
    assert [v.name for v in layer.weights] == [layer.name + '_W', layer.name + '_b']
    layer.set_weights([w if ordering == 'th' else kernel_th_to_tf(w), b])
    y = apply_layer(layer, x if ordering == 'th' else th_to_tf(x))
    expected = relu(ref_conv(x, w, subsample, border_mode) + b[None, :, None, None])
    np.testing.assert_allclose(y, expected if ordering == 'th' else th_to_tf(expected),
                               rtol=1e-4, atol=1e-4)


def test_atrous_and_separable_and_3d_values():
    x = RNG.randn(2, 2, 8, 7).astype('float32')
    atrous = AtrousConvolution2D(3, 3, 2, atrous_rate=(2, 1), border_mode='same', bias=False)
    apply_layer(atrous, x)
    w = RNG.randn(3, 2, 3, 2).astype('float32')
    atrous.set_weights([w])
    np.testing.assert_allclose(apply_layer(atrous, x), ref_conv(x, w, (1, 1), 'same', (2, 1)),
                               rtol=1e-4, atol=1e-4)
    sep = SeparableConvolution2D(4, 3, 3, depth_multiplier=2, border_mode='same')
    apply_layer(sep, x)
    assert [K.int_shape(v) for v in sep.weights] == [(2, 2, 3, 3), (4, 4, 1, 1), (4,)]
    assert [v.name.split('_', 1)[1] for v in sep.weights] == [
        '1_depthwise_kernel', '1_pointwise_kernel', '1_b']
    vol = RNG.randn(2, 2, 4, 5, 3).astype('float32')
    conv3 = Convolution3D(3, 2, 3, 2, border_mode='valid', subsample=(1, 2, 1))
    apply_layer(conv3, vol)
    w3, b3 = RNG.randn(3, 2, 2, 3, 2).astype('float32'), RNG.randn(3).astype('float32')
    conv3.set_weights([w3, b3])
    np.testing.assert_allclose(apply_layer(conv3, vol), ref_conv(vol, w3, (1, 2, 1), 'valid')
                               + b3[None, :, None, None, None], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('border_mode,subsample,rate', [('valid', 1, 1), ('same', 2, 1),
                                                        ('full', 1, 2)])
def test_convolution1d_values(border_mode, subsample, rate):
    x = RNG.randn(3, 9, 4).astype('float32')
    cls = Convolution1D if rate == 1 else AtrousConvolution1D
    kwargs = {} if rate == 1 else {'atrous_rate': rate}
    layer = cls(5, 3, border_mode=border_mode, subsample_length=subsample, input_dim=4,
                input_length=9, **kwargs)
    apply_layer(layer, x)
    assert K.int_shape(layer.W) == (3, 1, 4, 5)          # Keras 1's (length, 1, input_dim, nb)
    w, b = RNG.randn(3, 1, 4, 5).astype('float32'), RNG.randn(5).astype('float32')
    layer.set_weights([w, b])
    expected = ref_conv(x.transpose(0, 2, 1), w[:, 0].transpose(2, 1, 0), (subsample,),
                        border_mode, (rate,)).transpose(0, 2, 1) + b
    np.testing.assert_allclose(apply_layer(layer, x), expected, rtol=1e-4, atol=1e-4)


def test_deconvolution2d_shapes_and_adjointness():
    x = RNG.randn(2, 3, 4, 4).astype('float64').astype('float32')
    layer = Deconvolution2D(2, 3, 3, output_shape=(None, 2, 9, 9), subsample=(2, 2),
                            bias=False)
    y = apply_layer(layer, x)
    assert y.shape == (2, 2, 9, 9) and K.int_shape(layer.W) == (2, 3, 3, 3)
    z = RNG.randn(*y.shape)
    back = ref_conv(z, layer.get_weights()[0].transpose(1, 0, 2, 3), (2, 2), 'valid')
    np.testing.assert_allclose(np.sum(y * z), np.sum(x * back), rtol=1e-4)
    # Keras 2: no output_shape; the smallest output that convolves back to the input
    assert apply_layer(Conv2DTranspose(filters=2, kernel_size=3, strides=2, padding='same'),
                       x).shape == (2, 2, 7, 7)


# ---------------------------------------------------------------- shapes, configs, spellings
SHAPE_CASES = [
    (lambda: Convolution2D(2, 3, 3, border_mode='same', subsample=(2, 2)), (2, 3, 7, 8)),
    (lambda: Convolution2D(2, 2, 3, border_mode='full', dim_ordering='tf'), (2, 5, 4, 3)),
    (lambda: Convolution3D(2, 2, 2, 3, border_mode='same', dim_ordering='tf'), (1, 4, 3, 5, 2)),
    (lambda: AtrousConvolution2D(2, 3, 3, atrous_rate=(2, 2), subsample=(1, 2)), (2, 1, 8, 9)),
    (lambda: SeparableConvolution2D(3, 2, 2, border_mode='valid', dim_ordering='tf'),
     (2, 6, 5, 3)),
    (lambda: Convolution1D(3, 4, border_mode='same', subsample_length=3), (2, 10, 2)),
    (lambda: AtrousConvolution1D(3, 2, atrous_rate=3), (2, 10, 2)),
    (lambda: Deconvolution2D(2, 2, 2, (None, 6, 7, 2), border_mode='same', dim_ordering='tf'),
     (2, 6, 7, 3)),
    (lambda: LocallyConnected1D(3, 2, subsample_length=2), (2, 7, 3)),
    (lambda: LocallyConnected2D(2, 2, 3, dim_ordering='tf', subsample=(2, 1)), (2, 5, 6, 3)),
    (lambda: UpSampling1D(3), (2, 4, 3)),
    (lambda: UpSampling2D((2, 3), dim_ordering='tf'), (2, 3, 4, 2)),
    (lambda: UpSampling3D((1, 2, 2)), (1, 2, 2, 3, 2)),
    (lambda: ZeroPadding1D((1, 3)), (2, 4, 3)),
    (lambda: ZeroPadding2D({'top_pad': 1, 'right_pad': 2}), (2, 3, 4, 2)),
    (lambda: ZeroPadding2D((1, 0, 2, 3), dim_ordering='tf'), (2, 3, 4, 2)),
    (lambda: ZeroPadding3D((1, 0, 2)), (1, 2, 2, 3, 2)),
    (lambda: Cropping1D((2, 1)), (2, 6, 3)),
    (lambda: Cropping2D(((1, 0), (2, 1)), dim_ordering='tf'), (2, 5, 6, 3)),
    (lambda: Cropping3D(((1, 0), (0, 1), (1, 1))), (1, 2, 3, 4, 5)),
]


@pytest.mark.parametrize('make,shape', SHAPE_CASES)
def test_shape_inference_and_config_round_trip(make, shape):
    layer = make()
    x = RNG.randn(*shape).astype('float32')
    y = apply_layer(layer, x)                      # checks get_output_shape_for == actual
    clone = round_trip_config(layer)
    # as in Keras 1.2.2, UpSampling/ZeroPadding/Cropping 2D/3D configs drop dim_ordering
    if getattr(layer, 'dim_ordering', 'th') == getattr(clone, 'dim_ordering', 'th'):
        assert apply_layer(clone, x).shape == y.shape


def test_shape_layers_match_numpy():
    x = RNG.randn(2, 3, 4, 5).astype('float32')
    np.testing.assert_array_equal(apply_layer(UpSampling2D((2, 3)), x),
                                  x.repeat(2, axis=2).repeat(3, axis=3))
    np.testing.assert_array_equal(apply_layer(ZeroPadding2D((1, 0, 2, 3)), x),
                                  np.pad(x, [(0, 0), (0, 0), (1, 0), (2, 3)]))
    np.testing.assert_array_equal(apply_layer(Cropping2D(((1, 0), (2, 1))), x),
                                  x[:, :, 1:, 2:4])
    seq = RNG.randn(2, 6, 3).astype('float32')
    np.testing.assert_array_equal(apply_layer(UpSampling1D(2), seq), seq.repeat(2, axis=1))
    np.testing.assert_array_equal(apply_layer(ZeroPadding1D({'left_pad': 2}), seq),
                                  np.pad(seq, [(0, 0), (2, 0), (0, 0)]))
    np.testing.assert_array_equal(apply_layer(Cropping1D((1, 2)), seq), seq[:, 1:4])
    vol = RNG.randn(1, 2, 3, 4, 2).astype('float32')
    np.testing.assert_array_equal(apply_layer(ZeroPadding3D((1, 0, 2)), vol),
                                  np.pad(vol, [(0, 0), (0, 0), (1, 1), (0, 0), (2, 2)]))
    np.testing.assert_array_equal(apply_layer(UpSampling3D((2, 1, 2)), vol),
                                  vol.repeat(2, axis=2).repeat(2, axis=4))


def test_locally_connected_values():
    x = RNG.randn(2, 5, 3).astype('float32')
    layer = LocallyConnected1D(2, 2, subsample_length=2, activation='tanh')
    apply_layer(layer, x)
    w, b = layer.get_weights()
    assert w.shape == (2, 6, 2) and b.shape == (2, 2)
    b = RNG.randn(2, 2).astype('float32')
    layer.set_weights([w, b])
    expected = np.stack([x[:, 2 * i:2 * i + 2].reshape(2, -1).dot(w[i]) + b[i]
                         for i in range(2)], axis=1)
    np.testing.assert_allclose(apply_layer(layer, x), np.tanh(expected), rtol=1e-5, atol=1e-6)
    img = RNG.randn(2, 2, 4, 3).astype('float32')
    layer2 = LocallyConnected2D(3, 2, 2)
    apply_layer(layer2, img)
    w2, b2 = layer2.get_weights()
    assert w2.shape == (3 * 2, 2 * 2 * 2, 3) and b2.shape == (3, 2, 3)
    b2 = RNG.randn(3, 2, 3).astype('float32')
    layer2.set_weights([w2, b2])
    out = np.zeros((2, 3, 3, 2))
    for i in range(3):
        for j in range(2):
            out[:, :, i, j] = img[:, :, i:i + 2, j:j + 2].reshape(2, -1).dot(w2[i * 2 + j])
    out += b2.reshape(1, 3, 3, 2)   # Keras 1 quirk: b added by a plain reshape for 'th'
    np.testing.assert_allclose(apply_layer(layer2, img), out, rtol=1e-5, atol=1e-5)


def test_keras2_spellings_give_keras1_layers():
    k2 = Conv2D(filters=8, kernel_size=(3, 2), strides=(2, 1), padding='same',
                data_format='channels_last', kernel_initializer='he_normal', use_bias=False,
                dilation_rate=1, name='k2')
    k1 = Convolution2D(8, 3, 2, subsample=(2, 1), border_mode='same', dim_ordering='tf',
                       init='he_normal', bias=False, name='k2')
    assert k2.get_config() == k1.get_config()
    assert Conv2D(16, 3).kernel_size == (3, 3) and Conv2D(16, (5, 3)).kernel_size == (5, 3)
    c1 = Conv1D(filters=4, kernel_size=3, strides=2, padding='same', name='c')
    assert (c1.nb_filter, c1.kernel_size, c1.subsample, c1.border_mode) == (4, (3,), (2,), 'same')
    c3 = Conv3D(2, (1, 2, 3), data_format='channels_first')
    assert c3.kernel_size == (1, 2, 3) and c3.dim_ordering == 'th'
    sep = SeparableConv2D(4, (3, 3), depthwise_initializer='he_uniform', depth_multiplier=2)
    assert sep.init.__name__ == 'he_uniform' and sep.depth_multiplier == 2
    assert UpSampling1D(size=3).length == 3
    assert ZeroPadding2D(((1, 2), (3, 4))).pairs == ((1, 2), (3, 4))
    assert Cropping2D(cropping=((1, 2), (0, 1)), data_format='channels_last').dim_ordering == 'tf'


def test_config_keys_match_keras_1_2_2_files():
    """Every conv-family layer in the fixture JSON files rebuilds with the same config keys."""
    from keraslike import layers
    seen = set()
    for name in fixture_manifest():
        with open(os.path.join(FIXTURES, name + '.json')) as f:
            config = json.load(f)['config']
        entries = config if isinstance(config, list) else config['layers']
        for entry in entries:
            cls_name = entry['class_name']
            if cls_name in seen or not hasattr(layers, cls_name) or cls_name in (
                    'Dense', 'Dropout', 'Flatten', 'Activation', 'Reshape', 'Embedding',
                    'InputLayer', 'Highway', 'MaxoutDense', 'SpatialDropout1D',
                    'SpatialDropout2D', 'LSTM', 'GRU', 'SimpleRNN', 'Merge', 'Lambda',
                    'TimeDistributed', 'Bidirectional', 'Masking', 'RepeatVector', 'Permute',
                    'TimeDistributedDense', 'ConvLSTM2D', 'Sequential', 'Model'):
                continue
            seen.add(cls_name)
            layer = getattr(layers, cls_name).from_config(entry['config'])
            assert set(layer.get_config()) == set(entry['config']), cls_name
    assert {'Convolution2D', 'Convolution1D', 'MaxPooling2D', 'BatchNormalization',
            'Deconvolution2D', 'LocallyConnected2D', 'PReLU'} <= seen


# ---------------------------------------------------------------- errors
def test_bad_input_gives_clear_errors():
    with pytest.raises(ValueError, match=r"Invalid border mode for Convolution2D: 'half'"):
        Convolution2D(2, 3, 3, border_mode='half')
    layer = Convolution2D(2, 5, 5, name='too_big')
    with pytest.raises(ValueError, match=r'too_big.*\(5, 5\).*larger than the input '
                                         r'\(None, 1, 4, 4\).*valid'):
        Sequential([Convolution2D(1, 1, 1, input_shape=(1, 4, 4)), layer])
    with pytest.raises(ValueError, match='incompatible with layer conv_rank.*expected ndim=4, '
                                         'found ndim=3'):
        Sequential([Convolution2D(2, 3, 3, input_shape=(8, 8), name='conv_rank')])
    with pytest.raises(ValueError, match='output_shape .*cannot come from input shape'):
        Sequential([Deconvolution2D(2, 3, 3, (None, 2, 9, 9), input_shape=(3, 4, 4))])
    with pytest.raises(ValueError, match='only "valid" is supported'):
        LocallyConnected1D(2, 3, border_mode='same')
    with pytest.raises(ValueError, match=r'Convolution2D: .*kernel size must be 2 positive'):
        Convolution2D(2, 3, 0)
    # Keras 1.2.2 on Theano: a zero-length axis, not an error (tests/test_zero_size_outputs.py)
    with pytest.warns(UserWarning,
                      match=r'cropping \(3, 3\) of its input shape .* zero-length axis'):
        Sequential([Cropping1D((3, 3), input_shape=(5, 2))])


# ---------------------------------------------------------------- Keras 1.2.2 fixtures
PREDICT_FIXTURES = ['cnn_th', 'cnn_kernels', 'cnn_pool_variants', 'pool_same', 'seq1d_misc',
                    'deconv2d', 'atrous_conv2d', 'atrous_conv1d', 'conv3d', 'locally_connected',
                    'conv1d']


@pytest.mark.parametrize('name', PREDICT_FIXTURES)
def test_keras122_fixture_predictions(name):
    model, data = build_fixture(name)
    np.testing.assert_allclose(model.predict(data['x0'], batch_size=8), data['y0'], atol=1e-5)


@pytest.mark.parametrize('name', ['cnn_th', 'deconv2d', 'pool_same'])
def test_keras122_fixture_training_step(name):
    """One train_on_batch from the saved optimizer state matches Keras' (gradients agree)."""
    model, data = build_fixture(name)
    load_optimizer_state(model, name)
    loss = np.atleast_1d(model.train_on_batch(data['bx0'], data['by0']))
    np.testing.assert_allclose(loss, data['tob_out_reload'], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(data['x0']), data['after_reload0'], atol=1e-5)
