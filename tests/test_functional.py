"""Functional API, Merge, shared layers, nested models, multiple inputs and outputs."""
import json

import numpy as np
import pytest

from keraslike import backend as K
from keraslike.layers import Dense, Input, Lambda, Masking, Merge, merge
from keraslike.models import Model, Sequential
from keraslike.optimizers import SGD
from keraslike.utils.np_utils import to_categorical

RNG = np.random.RandomState(7)
A = RNG.randn(4, 3).astype('float32')
B = RNG.randn(4, 3).astype('float32')
C = RNG.randn(4, 2, 3).astype('float32')


@pytest.fixture(scope='module')
def merge_results():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    c = Input(shape=(2, 3))
    outs = {mode: merge([a, b], mode=mode) for mode in ('sum', 'mul', 'ave', 'max', 'cos')}
    outs['concat'] = merge([a, b], mode='concat')
    outs['concat0'] = merge([c, c], mode='concat', concat_axis=1)
    outs['dot'] = merge([a, b], mode='dot', dot_axes=1)
    outs['dot3'] = merge([c, c], mode='dot', dot_axes=[2, 2])
    outs['callable'] = merge([a, b], mode=lambda xs: xs[0] - 2 * xs[1], output_shape=(3,))
    names = sorted(outs)
    f = K.function([a, b, c], [outs[n] for n in names])
    return outs, dict(zip(names, f([A, B, C])))


def test_every_merge_mode_against_numpy(merge_results):
    outs, r = merge_results
    np.testing.assert_allclose(r['sum'], A + B, rtol=1e-6)
    np.testing.assert_allclose(r['mul'], A * B, rtol=1e-6)
    np.testing.assert_allclose(r['ave'], (A + B) / 2, rtol=1e-6)
    np.testing.assert_allclose(r['max'], np.maximum(A, B))
    np.testing.assert_allclose(r['concat'], np.concatenate([A, B], -1))
    np.testing.assert_allclose(r['concat0'], np.concatenate([C, C], 1))
    np.testing.assert_allclose(r['dot'], (A * B).sum(1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(r['dot3'], np.einsum('bij,bkj->bik', C, C), rtol=1e-5)
    cos = (A * B).sum(1) / np.sqrt((A * A).sum(1) * (B * B).sum(1))
    np.testing.assert_allclose(r['cos'], cos[:, None], rtol=1e-5)
    np.testing.assert_allclose(r['callable'], A - 2 * B, rtol=1e-6)
    for name, out in outs.items():
        assert out._keras_shape[1:] == r[name].shape[1:], name


def test_merge_errors_name_the_layers():
    a, b = Input(shape=(3,), name='ina'), Input(shape=(4,), name='inb')
    with pytest.raises(ValueError, match=r"same output shape.*ina', 'inb"):
        merge([a, b], mode='sum')
    with pytest.raises(ValueError, match='Invalid merge mode'):
        merge([a, b], mode='minus')
    with pytest.raises(ValueError, match='Dimension incompatibility using dot mode: 3 != 4'):
        merge([a, b], mode='dot')
    layer = Merge(mode='concat')
    layer([a, b])
    with pytest.raises(RuntimeError, match='cannot be used more than once'):
        layer([a, b])


def test_merge_masks():
    x = Input(shape=(3, 2))
    masked = Masking()(x)
    summed = merge([masked, masked], mode='sum')
    concat = merge([masked, x], mode='concat')
    f = K.function([x], [summed._keras_history[0].get_output_mask_at(0),
                         concat._keras_history[0].get_output_mask_at(0)])
    xv = np.ones((2, 3, 2), dtype='float32')
    xv[0, 1] = 0
    sum_mask, concat_mask = f([xv])
    np.testing.assert_array_equal(sum_mask, (xv != 0).any(-1))
    np.testing.assert_array_equal(concat_mask, (xv != 0).any(-1))


def test_shared_layer_moves_both_uses_and_layer_order():
    np.random.seed(2)
    a, b = Input(shape=(5,), name='a'), Input(shape=(5,))
    shared = Dense(3, name='shared')
    merged = merge([shared(a), shared(b)], mode='concat')
    out1 = Dense(2, name='out1', activation='softmax')(merged)
    out2 = Dense(1, name='out2')(shared(a))
    model = Model([a, b], [out1, out2])
    assert [layer.name for layer in model.layers] == ['a', model.input_names[1], 'shared',
                                                      merged._keras_history[0].name, 'out1',
                                                      'out2']
    assert shared.get_output_shape_at(2) == (None, 3)
    assert len(shared.inbound_nodes) == 3
    model.compile(SGD(lr=0.1), ['categorical_crossentropy', 'mse'], loss_weights=[1., 0.5],
                  metrics=['accuracy'])
    assert model.metrics_names == ['loss', 'out1_loss', 'out2_loss', 'out1_acc', 'out2_acc']
    xa, xb = np.random.rand(8, 5), np.random.rand(8, 5)
    y1, y2 = to_categorical(np.arange(8) % 2, 2), np.random.rand(8, 1)
    before = shared.get_weights()[0].copy()
    loss, l1, l2, _, _ = model.train_on_batch({'a': xa, model.input_names[1]: xb},
                                              {'out1': y1, 'out2': y2})
    assert loss == pytest.approx(l1 + 0.5 * l2, rel=1e-5)  # weighted sum of output losses
    assert not np.allclose(before, shared.get_weights()[0])
    history = model.fit([xa, xb], [y1, y2], nb_epoch=1, verbose=0, validation_split=0.25)
    assert sorted(history.history) == sorted(
        ['loss', 'out1_loss', 'out2_loss', 'out1_acc', 'out2_acc', 'val_loss',
         'val_out1_loss', 'val_out2_loss', 'val_out1_acc', 'val_out2_acc'])
    # config round trip rebuilds identical predictions
    config = json.loads(json.dumps(model.get_config()))
    assert config['input_layers'] == [['a', 0, 0], [model.input_names[1], 0, 0]]
    shared_config = [l for l in config['layers'] if l['name'] == 'shared'][0]
    assert shared_config['inbound_nodes'] == [[['a', 0, 0]], [[model.input_names[1], 0, 0]],
                                              [['a', 0, 0]]]
    rebuilt = Model.from_config(config)
    rebuilt.set_weights(model.get_weights())
    for p, q in zip(model.predict([xa, xb]), rebuilt.predict([xa, xb])):
        np.testing.assert_allclose(p, q, rtol=1e-6)
    with pytest.raises(ValueError, match='Expected to see 2 arrays but instead got 1'):
        model.predict([xa])


def test_nested_models_train_and_siamese():
    np.random.seed(4)
    encoder = Sequential([Dense(4, input_dim=6, activation='tanh'), Dense(3)])
    inner_in = Input(shape=(1,))
    head = Model(inner_in, Dense(1)(inner_in))
    with pytest.raises(ValueError, match=r'expects shape \(None, 1\).*shape \(None, 3\)'):
        head(encoder.outputs[0])
    a, b = Input(shape=(6,)), Input(shape=(6,))
    distance = merge([encoder(a), encoder(b)],
                     mode=lambda xs: K.sum(K.square(xs[0] - xs[1]), axis=1, keepdims=True),
                     output_shape=(1,))
    out = head(Lambda(lambda t: t * 1.)(distance))
    model = Model([a, b], out)
    model.compile('sgd', 'mse')
    assert len(model.trainable_weights) == 6
    w0 = [w.copy() for w in encoder.get_weights()]
    xa, xb = np.random.rand(16, 6), np.random.rand(16, 6)
    model.fit([xa, xb], np.random.rand(16, 1), nb_epoch=2, verbose=0)
    assert any(not np.allclose(x, y) for x, y in zip(w0, encoder.get_weights()))
    # the nested model computes the same thing as its parts
    enc_a, enc_b = encoder.predict(xa), encoder.predict(xb)
    W, bias = head.get_weights()
    expected = ((enc_a - enc_b) ** 2).sum(1, keepdims=True).dot(W) + bias
    np.testing.assert_allclose(model.predict([xa, xb]), expected, rtol=1e-4, atol=1e-6)


def test_graph_errors():
    a = Input(shape=(3,))
    unrelated = Input(shape=(3,))
    with pytest.raises(RuntimeError, match='Graph disconnected'):
        Model(unrelated, Dense(2)(a))
    x = Input(shape=(3,))
    y = Dense(2, name='same')(Dense(3, name='same')(x))
    with pytest.raises(RuntimeError, match='"same" is used 2 times'):
        Model(x, y)


def test_guide_two_branch_merge_sequential():
    left_branch = Sequential()
    left_branch.add(Dense(32, input_dim=784))
    right_branch = Sequential()
    right_branch.add(Dense(32, input_dim=784))
    merged = Merge([left_branch, right_branch], mode='concat')
    final_model = Sequential()
    final_model.add(merged)
    final_model.add(Dense(10, activation='softmax'))
    final_model.compile(optimizer='rmsprop', loss='categorical_crossentropy',
                        metrics=['accuracy'])
    data_1 = np.random.random((64, 784))
    data_2 = np.random.random((64, 784))
    labels = to_categorical(np.random.randint(10, size=(64, 1)), 10)
    final_model.fit([data_1, data_2], labels, nb_epoch=1, batch_size=32, verbose=0)
    assert len(final_model.flattened_layers) == 3
    W_l, b_l, W_r, b_r, W, b = final_model.get_weights()
    hidden = np.concatenate([data_1.dot(W_l) + b_l, data_2.dot(W_r) + b_r], 1)
    logits = hidden.dot(W) + b
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    np.testing.assert_allclose(final_model.predict([data_1, data_2]), probs, rtol=1e-4,
                               atol=1e-6)
    # the guide's callable mode, one argument per branch, with an inferred output shape
    diff = Merge([left_branch, right_branch], mode=lambda x, y: x - y)
    assert diff.output_shape == (None, 32)
    rebuilt = Sequential.from_config(final_model.get_config())
    assert rebuilt.output_shape == (None, 10) and len(rebuilt.flattened_layers) == 3


def test_cos_merge_of_a_zero_vector_has_a_finite_gradient():
    a, b = Input((3,)), Input((3,))
    cos = merge([a, b], mode='cos')
    f = K.function([a, b], [cos, K.gradients(K.sum(cos), [a])[0]])
    av = np.array([[0., 0., 0.], [1., 2., 2.]], dtype='float32')
    bv = np.array([[1., 0., 0.], [2., 1., 2.]], dtype='float32')
    value, grad = f([av, bv])
    np.testing.assert_allclose(value[:, 0], [0., 8. / 9.], rtol=1e-5)
    assert np.isfinite(grad).all()
    # d cos / d a for the nonzero row: b / (|a||b|) - cos * a / |a|^2
    expected = bv[1] / 9. - (8. / 9.) * av[1] / 9.
    np.testing.assert_allclose(grad[1], expected, rtol=1e-4)
