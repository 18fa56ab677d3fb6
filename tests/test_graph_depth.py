"""Layers reached by several paths get their greatest depth, as in Keras 1.2.2.

Residual blocks, dense blocks, U-Nets and shared layers: the layer order (and
so the order weights are saved in) must equal real Keras 1.2.2's, recorded in
``fixtures/keras1_graph_orders.json`` by ``tools/keras1_graph_orders.py`` from
the same builders; the models must train, save and load.
"""
import json
import os
import sys

import numpy as np
import pytest

from keraslike import backend as K
from keraslike import layers as L
from keraslike.models import Model, load_model, model_from_json
from keraslike.optimizers import Adam

import graph_builders

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, 'fixtures', 'keras1_graph_orders.json')) as _f:
    KERAS1_ORDERS = json.load(_f)


@pytest.fixture(autouse=True)
def th_ordering():
    before = K.image_dim_ordering()
    K.set_image_dim_ordering('th')
    yield
    K.set_image_dim_ordering(before)


def build(name):
    inp, out = graph_builders.BUILDERS[name](L)
    return Model(input=inp, output=out)


@pytest.mark.parametrize('name', sorted(graph_builders.BUILDERS))
def test_layer_and_weight_order_match_keras1(name):
    model = build(name)
    assert [layer.name for layer in model.layers] == KERAS1_ORDERS[name]['layers']
    assert [list(w.shape) for w in model.get_weights()] == KERAS1_ORDERS[name]['weight_shapes']


def test_issue_example_order_and_values():
    inp = L.Input(shape=(4,))
    a = L.Dense(4)(inp)
    outer, inner = L.Dense(4), L.Dense(4)  # created in the order of Dense(4)(Dense(4)(a))
    c = outer(inner(a))
    model = Model(input=inp, output=L.merge([a, c], mode='sum'))
    dense_a = model.layers[1]
    assert model.layers == [model.layers[0], dense_a, inner, outer, model.layers[-1]]
    x = np.random.RandomState(0).randn(5, 4).astype('float32')
    wa, ba, wi, bi, wo, bo = model.get_weights()
    ha = x @ wa + ba
    expected = ha + ((ha @ wi + bi) @ wo + bo)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)


def test_graph_deeper_than_the_recursion_limit():
    depth = sys.getrecursionlimit() + 100
    inp = L.Input(shape=(2,))
    x = inp
    for i in range(depth):
        x = L.Activation('linear')(x)
        if i % 100 == 99:
            x = L.merge([x, inp], mode='sum')  # the input is reached by a short and a long path
    model = Model(input=inp, output=x)
    assert len(model.layers) == 1 + depth + depth // 100
    assert model.layers[0] is inp._keras_history[0]
    assert model.layers[-1] is x._keras_history[0]


def _data(name, n=32):
    rng = np.random.RandomState(1)
    x = rng.rand(n, 1, 8, 8).astype('float32')
    if name == 'unet':
        return x, (x > 0.5).astype('float32')
    labels = (x.reshape(n, -1).mean(1) > 0.5).astype(int) + 2 * (x[:, 0, 0, 0] > 0.5)
    return x, np.eye(10, dtype='float32')[labels]


@pytest.fixture(scope='module', params=['residual', 'dense_block', 'unet'])
def trained(request):
    name = request.param
    before = K.image_dim_ordering()
    K.set_image_dim_ordering('th')
    np.random.seed(0)    # the initial weights: a reproducible run
    model = build(name)
    loss = 'binary_crossentropy' if name == 'unet' else 'categorical_crossentropy'
    model.compile(optimizer=Adam(lr=0.01), loss=loss)
    x, y = _data(name)
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, nb_epoch=15, batch_size=8, verbose=0)
    K.set_image_dim_ordering(before)
    return name, model, x, y, first


def test_multi_path_models_learn(trained):
    name, model, x, y, first = trained
    assert model.evaluate(x, y, verbose=0) < 0.8 * first, name


def test_multi_path_models_save_and_load(trained, tmp_path):
    name, model, x, _, _ = trained
    path = str(tmp_path / (name + '.h5'))
    model.save(path)
    loaded = load_model(path)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-5, atol=1e-6)
    rebuilt = model_from_json(model.to_json())
    model.save_weights(str(tmp_path / 'w.h5'))
    rebuilt.load_weights(str(tmp_path / 'w.h5'))
    np.testing.assert_allclose(rebuilt.predict(x), model.predict(x), rtol=1e-5, atol=1e-6)
