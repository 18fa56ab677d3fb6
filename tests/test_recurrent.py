"""SimpleRNN, GRU and LSTM: Keras 1 weights, NumPy references, masks, dropout, statefulness,
training, Keras 2 spellings, and real Keras 1.2.2 fixtures.

Models are compiled in the default execution mode; each module fixture
compiles one multi-output model for many layer variants at once.
"""
import json
import os

import h5py
import numpy as np
import pytest

from keraslike import backend as K
from keraslike import regularizers
from keraslike.engine.topology import Input
from keraslike.layers import (GRU, LSTM, Dense, Embedding, Masking, SimpleRNN,
                              TimeDistributed)
from keraslike.models import Model, Sequential
from test_backend_rnn import STEPS, np_rnn

from fixture_paths import KERAS1_FIXTURES as FIXTURES
T, D = 5, 4

# Keras 1 weight lists -> fused (W, U, b) with gate blocks LSTM i,f,c,o / GRU z,r,h
_FUSE = {('lstm', 12): ([0, 6, 3, 9], [1, 7, 4, 10], [2, 8, 5, 11]),
         ('gru', 9): ([0, 3, 6], [1, 4, 7], [2, 5, 8])}


def fused_numpy_weights(layer):
    w = layer.get_weights()
    key = (layer.cell, len(w))
    if key not in _FUSE:
        return w
    return [np.concatenate([w[i] for i in idx], axis=-1) for idx in _FUSE[key]]


def np_layer(layer, x, mask=None):
    """A recurrent layer's output from its weights, one NumPy step at a time."""
    W, U, b = fused_numpy_weights(layer)
    inner = getattr(layer, 'inner_activation', None)
    step = STEPS[layer.cell](U, layer.activation.__name__, inner and inner.__name__, None)
    states = [np.zeros((x.shape[0], layer.output_dim))] * layer.n_states
    last, outputs, _ = np_rnn(step, x.dot(W) + b, states, mask, layer.go_backwards)
    return outputs if layer.return_sequences else last


def padded_data(seed=0, n=4):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, (n, T, D)).astype('float32')
    x[0, :2] = 0.   # pre-padding
    x[1, 3] = 0.    # a masked hole
    return x


# ------------------------------------------------------------------ outputs against NumPy
def _variants():
    out = []
    for cls in (SimpleRNN, GRU, LSTM):
        for consume_less in ('cpu', 'mem', 'gpu'):
            out.append((cls, dict(consume_less=consume_less), False))
        out.append((cls, dict(go_backwards=True, return_sequences=False), True))
        out.append((cls, dict(consume_less='gpu', go_backwards=True), True))
    # the generic K.rnn paths: a scan (softsign has no fused kernel) and an unrolled loop
    out.append((LSTM, dict(inner_activation='softsign'), True))
    out.append((GRU, dict(unroll=True, go_backwards=True), True))
    out.append((SimpleRNN, dict(activation='relu', unroll=True), True))
    return out


@pytest.fixture(scope='module')
def layer_outputs():
    np.random.seed(1)
    x_in = Input(shape=(T, D))
    masked = Masking(0.)(x_in)
    layers, outputs = [], []
    for cls, kwargs, use_mask in _variants():
        args = dict(return_sequences=True)
        args.update(kwargs)
        layer = cls(3, **args)
        outputs.append(layer(masked if use_mask else x_in))
        layers.append((layer, use_mask))
    model = Model(x_in, outputs)
    x = padded_data()
    return layers, model.predict(x), x


def test_layers_match_numpy(layer_outputs):
    layers, values, x = layer_outputs
    mask = np.any(x != 0., axis=-1).astype('float32')
    for (layer, use_mask), value in zip(layers, values):
        expected = np_layer(layer, x, mask if use_mask else None)
        np.testing.assert_allclose(value, expected, rtol=2e-5, atol=2e-6,
                                   err_msg='%s %s' % (layer.name, layer.get_config()))


def test_fused_and_generic_paths_are_both_covered(layer_outputs):
    layers, _, _ = layer_outputs
    used = [layer.use_fused() for layer, _ in layers]
    assert any(used) and not all(used)


def test_masked_steps_repeat_the_previous_output(layer_outputs):
    layers, values, _ = layer_outputs
    for (layer, use_mask), value in zip(layers, values):
        if use_mask and layer.return_sequences and not layer.go_backwards:
            assert np.all(value[0, :2] == 0.), layer.name    # leading masked steps: zeros
            np.testing.assert_array_equal(value[1, 3], value[1, 2])


def test_keras1_style_custom_recurrent_subclass():
    """A Recurrent subclass written for Keras 1 (build, step, get_constants) runs via K.rnn."""
    from keraslike.layers import Recurrent

    class MinimalRNN(Recurrent):
        def __init__(self, output_dim, **kwargs):
            self.output_dim = output_dim
            super(MinimalRNN, self).__init__(**kwargs)

        def build(self, input_shape):
            self.states = [None]
            self.W = self.add_weight((input_shape[2], self.output_dim), 'glorot_uniform',
                                     name='W')
            self.built = True

        def get_constants(self, x):
            return [K.constant(0.5)]

        def step(self, x, states):
            h = K.tanh(K.dot(x, self.W) + states[0] * states[1])
            return h, [h]

    np.random.seed(9)
    x_in = Input(shape=(T, D))
    layer = MinimalRNN(3, return_sequences=True, go_backwards=True)
    out = Model(x_in, layer(Masking(0.)(x_in))).predict(padded_data(2))
    W = layer.get_weights()[0]

    def step(x, states):
        h = np.tanh(x.dot(W) + states[0] * 0.5)
        return h, [h]
    x = padded_data(2)
    _, expected, _ = np_rnn(step, x, [np.zeros((4, 3))], np.any(x != 0, axis=-1), True)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ weights (Keras 1 layout)
@pytest.mark.parametrize('cls, consume_less, names', [
    (SimpleRNN, 'cpu', ['W', 'U', 'b']),
    (GRU, 'mem', ['W_z', 'U_z', 'b_z', 'W_r', 'U_r', 'b_r', 'W_h', 'U_h', 'b_h']),
    (GRU, 'gpu', ['W', 'U', 'b']),
    (LSTM, 'cpu', ['W_i', 'U_i', 'b_i', 'W_c', 'U_c', 'b_c', 'W_f', 'U_f', 'b_f', 'W_o', 'U_o',
                   'b_o']),
    (LSTM, 'gpu', ['W', 'U', 'b'])])
def test_weight_names_order_and_shapes(cls, consume_less, names):
    layer = cls(3, consume_less=consume_less, name='rnn')
    layer.build((None, T, D))
    assert [w.name for w in layer.weights] == ['rnn_' + n for n in names]
    gates = len(layer.get_weights()[0][0]) // 3 if len(names) == 3 else 1
    for w, n in zip(layer.get_weights(), names):
        expected = {'W': (D, 3 * gates), 'U': (3, 3 * gates), 'b': (3 * gates,)}[n[0]]
        assert w.shape == expected, n
    if cls is LSTM:
        b = layer.get_weights()
        forget = b[8] if consume_less == 'cpu' else b[2][3:6]
        np.testing.assert_array_equal(forget, np.ones(3))   # forget_bias_init='one'


def test_regularizer_loss_counts():
    """Keras 1 quirk: cpu/mem U_* take W_regularizer (12 terms for LSTM, 9 GRU, 3 SimpleRNN)."""
    for cls, count in ((SimpleRNN, 3), (GRU, 9), (LSTM, 12)):
        layer = cls(2, W_regularizer=regularizers.l2(0.1), U_regularizer=regularizers.l2(0.1),
                    b_regularizer=regularizers.l1(0.1))
        layer.build((None, T, D))
        assert len(layer.losses) == count, cls.__name__


# ------------------------------------------------------------------ gradients and dropout
@pytest.fixture(scope='module')
def twin_gradients():
    """Gradients of the same LSTM through the fused loop and through K.rnn's scan."""
    np.random.seed(2)
    x_in = Input(shape=(T, D))
    masked = Masking(0.)(x_in)
    fused = LSTM(3, return_sequences=True, go_backwards=True)
    generic = LSTM(3, return_sequences=True, go_backwards=True)
    generic.use_fused = lambda: False
    y1, y2 = fused(masked), generic(masked)
    generic.set_weights(fused.get_weights())
    weight = K.constant(np.random.uniform(-1, 1, (1, T, 3)))
    g1 = K.gradients(K.sum(y1 * weight), fused.trainable_weights)
    g2 = K.gradients(K.sum(y2 * weight), generic.trainable_weights)
    f = K.function([x_in], g1 + g2)
    return f([padded_data(3)]), len(g1)


def test_fused_gradients_equal_the_generic_scan(twin_gradients):
    grads, n = twin_gradients
    for a, b in zip(grads[:n], grads[n:]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert max(np.abs(g).max() for g in grads[:n]) > 1e-3


def test_dropout_masks_are_per_sequence_and_off_at_test_time():
    """Linear SimpleRNN with U = 0: output_t = (x_t * mask) . W + b, with one mask per
    sequence, so a constant input gives the same output at every step while training."""
    x_in = Input(shape=(T, D))
    layer = SimpleRNN(6, activation='linear', dropout_W=0.5, return_sequences=True,
                      inner_init='zero')
    y = layer(x_in)
    assert layer.uses_learning_phase
    train = K.function([x_in], [y], givens={K.learning_phase(): 1})
    test = K.function([x_in], [y], givens={K.learning_phase(): 0})
    x = np.ones((8, T, D), 'float32')
    W, U, b = layer.get_weights()
    out_train, out_test = train([x])[0], test([x])[0]
    np.testing.assert_allclose(out_test, np.tile(x[:, :1].dot(W) + b, (1, T, 1)), rtol=1e-5)
    np.testing.assert_allclose(out_train, np.repeat(out_train[:, :1], T, axis=1), rtol=1e-5)
    assert not np.allclose(out_train, out_test)


@pytest.mark.parametrize('cls', [GRU, LSTM])
def test_recurrent_dropout_runs_and_is_off_at_test_time(cls):
    np.random.seed(4)
    x_in = Input(shape=(T, D))
    plain, dropped = cls(3), cls(3, dropout_W=0.3, dropout_U=0.3)
    y1, y2 = plain(x_in), dropped(x_in)
    dropped.set_weights(plain.get_weights())
    test = K.function([x_in], [y1, y2], givens={K.learning_phase(): 0})
    train = K.function([x_in], [y2], givens={K.learning_phase(): 1})
    x = padded_data(5)
    a, b = test([x])
    np.testing.assert_allclose(a, b, rtol=1e-6)
    assert not np.allclose(train([x])[0], a)


# ------------------------------------------------------------------ stateful
@pytest.fixture(scope='module')
def stateful_model():
    np.random.seed(5)
    model = Sequential()
    model.add(LSTM(4, stateful=True, return_sequences=True, batch_input_shape=(2, 3, D)))
    model.add(LSTM(3, stateful=True))
    model.add(Dense(1))
    model.compile('sgd', 'mse')
    return model


def test_stateful_states_carry_over_and_reset(stateful_model):
    model = stateful_model
    rng = np.random.RandomState(0)
    x1, x2 = rng.rand(2, 3, D).astype('float32'), rng.rand(2, 3, D).astype('float32')
    model.reset_states()
    a = model.predict(x1, batch_size=2)
    b = model.predict(x2, batch_size=2)
    model.reset_states()
    np.testing.assert_allclose(model.predict(x1, batch_size=2), a, rtol=1e-6)
    # carrying over equals running the concatenated sequence in one go
    long_model = Sequential([LSTM(4, return_sequences=True, input_shape=(6, D)), LSTM(3),
                             Dense(1)])
    long_model.set_weights(model.get_weights())
    np.testing.assert_allclose(long_model.predict(np.concatenate([x1, x2], axis=1)), b,
                               rtol=1e-5, atol=1e-6)
    states = [K.get_value(s) for layer in model.layers[:2] for s in layer.states]
    assert all(np.abs(s).max() > 0 for s in states)
    model.reset_states()
    assert all(np.all(K.get_value(s) == 0) for layer in model.layers[:2] for s in layer.states)


def test_stateful_training_updates_states_and_checks_batches(stateful_model):
    model = stateful_model
    model.reset_states()
    x = np.random.rand(4, 3, D).astype('float32')
    model.fit(x, np.zeros((4, 1)), batch_size=2, nb_epoch=1, verbose=0, shuffle=False)
    assert np.abs(K.get_value(model.layers[1].states[0])).max() > 0
    with pytest.raises(ValueError, match='divided by the batch size'):
        model.fit(x[:3], np.zeros((3, 1)), batch_size=2, nb_epoch=1, verbose=0)
    with pytest.raises(ValueError, match='batch size'):
        model.predict(x[:3], batch_size=3)


def test_stateful_needs_a_batch_size():
    layer = LSTM(2, stateful=True, input_shape=(3, D))
    with pytest.raises(ValueError, match='batch size'):
        Sequential([layer])
    with pytest.raises(AttributeError, match='stateful'):
        LSTM(2).reset_states()


# ------------------------------------------------------------------ masks weight the loss
@pytest.fixture(scope='module')
def seq2seq():
    """Embedding(mask_zero) -> LSTM(return_sequences) -> TimeDistributed(Dense), per-step loss;
    no input_length, so it also runs unpadded sequences."""
    np.random.seed(6)
    model = Sequential()
    model.add(Embedding(10, 4, mask_zero=True))
    model.add(LSTM(5, return_sequences=True))
    model.add(TimeDistributed(Dense(3, activation='softmax')))
    model.compile('sgd', 'categorical_crossentropy')
    return model


def test_masked_loss_equals_loss_on_unpadded_sequences(seq2seq):
    rng = np.random.RandomState(1)
    lengths = [5, 3, 2]
    x = np.zeros((3, T), 'int32')
    y = np.eye(3, dtype='float32')[rng.randint(0, 3, (3, T))]
    for i, n in enumerate(lengths):     # pre-padded with index 0
        x[i, T - n:] = rng.randint(1, 10, n)
    loss = seq2seq.evaluate(x, y, verbose=0, batch_size=3)
    probs = seq2seq.predict(x)
    per_step = []
    for i, n in enumerate(lengths):
        alone = seq2seq.predict(x[i:i + 1, T - n:])[0]      # the unpadded sequence
        np.testing.assert_allclose(probs[i, T - n:], alone, rtol=1e-5, atol=1e-7)
        p = np.clip(alone, 1e-7, 1 - 1e-7)
        per_step += list(-np.sum(y[i, T - n:] * np.log(p), axis=-1))
    np.testing.assert_allclose(loss, np.mean(per_step), rtol=1e-5)


def test_temporal_sample_weights():
    np.random.seed(8)
    model = Sequential([LSTM(3, return_sequences=True, input_shape=(T, D)),
                        TimeDistributed(Dense(2))])
    model.compile('sgd', 'mse', sample_weight_mode='temporal')
    x = padded_data(9, n=3)
    y = np.random.rand(3, T, 2).astype('float32')
    w = np.ones((3, T), 'float32')
    w[:, :2] = 0.
    loss = model.evaluate(x, y, sample_weight=w, verbose=0)
    err = np.mean((model.predict(x) - y) ** 2, axis=-1)
    np.testing.assert_allclose(loss, np.sum(err * w) / w.sum(), rtol=1e-5)


# ------------------------------------------------------------------ learning
def test_guide_stacked_lstm_learns():
    """The guide's stacked LSTM (3 x LSTM(32)) on a task it can learn: noise in 16
    features, with the class's feature raised at every timestep."""
    data_dim, timesteps, nb_classes = 16, 8, 10
    rng = np.random.RandomState(0)
    labels = rng.randint(0, nb_classes, 1280)
    x = rng.uniform(0, 1, (1280, timesteps, data_dim)).astype('float32')
    x[np.arange(1280), :, labels] += 0.5
    y = np.eye(nb_classes, dtype='float32')[labels]
    np.random.seed(0)
    model = Sequential()
    model.add(LSTM(32, return_sequences=True, input_shape=(timesteps, data_dim)))
    model.add(LSTM(32, return_sequences=True))
    model.add(LSTM(32))
    model.add(Dense(nb_classes, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    history = model.fit(x[:1024], y[:1024], batch_size=64, nb_epoch=15, verbose=0,
                        validation_data=(x[1024:], y[1024:]))
    assert history.history['loss'][-1] < 0.3 * history.history['loss'][0]
    assert history.history['val_acc'][-1] > 0.9


# ------------------------------------------------------------------ Keras 2 spellings, configs
def test_keras2_spellings():
    layer = LSTM(units=7, kernel_initializer='he_normal', recurrent_initializer='identity',
                 recurrent_activation='sigmoid', dropout=0.1, recurrent_dropout=0.2,
                 implementation=2, unit_forget_bias=False, kernel_regularizer='l2',
                 bias_constraint='nonneg', use_bias=True)
    assert (layer.output_dim, layer.init.__name__, layer.inner_init.__name__,
            layer.inner_activation.__name__, layer.dropout_W, layer.dropout_U,
            layer.consume_less, layer.forget_bias_init.__name__) == \
        (7, 'he_normal', 'identity', 'sigmoid', 0.1, 0.2, 'gpu', 'zero')
    assert layer.W_regularizer is not None and layer.b_constraint is not None
    assert GRU(units=2, implementation=1).consume_less == 'mem'
    assert SimpleRNN(units=3, recurrent_dropout=0.5).dropout_U == 0.5
    with pytest.raises(TypeError, match='use_bias=False'):
        LSTM(2, use_bias=False)
    with pytest.raises(TypeError, match='output_dim'):
        GRU()


def test_configs_round_trip():
    for layer in (LSTM(3, consume_less='gpu', go_backwards=True, input_dim=4, input_length=5),
                  GRU(2, return_sequences=True, dropout_U=0.25, W_regularizer='l2'),
                  SimpleRNN(4, activation='relu', unroll=True)):
        config = layer.get_config()
        clone = layer.__class__.from_config(config)
        assert clone.get_config() == config
    config = LSTM(3, name='lstm_9').get_config()
    assert list(config)[:9] == ['name', 'trainable', 'return_sequences', 'go_backwards',
                                'stateful', 'unroll', 'consume_less', 'input_dim',
                                'input_length']
    assert config['forget_bias_init'] == 'one' and config['inner_activation'] == 'hard_sigmoid'


def test_bad_inputs_give_clear_errors():
    with pytest.raises(ValueError, match='lstm_bad.*ndim=3'):
        LSTM(2, name='lstm_bad')(Input(shape=(4,)))
    with pytest.raises(ValueError, match='consume_less'):
        GRU(2, consume_less='fast')
    with pytest.raises(ValueError, match='dropout_U'):
        LSTM(2, dropout_U=1.5)
    with pytest.raises(ValueError, match='unroll=True needs a known number of timesteps'):
        SimpleRNN(2, unroll=True, name='srnn')(Input(shape=(None, 3)))


# ------------------------------------------------------------------ real Keras 1.2.2 fixtures
def _manifest():
    with open(os.path.join(FIXTURES, 'manifest.json')) as f:
        return {fx['name']: fx for fx in json.load(f)['fixtures']}


def _names(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def load_keras1_weights(model, name):
    """The weights of a Keras 1 ``save_weights`` file, read with h5py in file order."""
    with h5py.File(os.path.join(FIXTURES, name + '_weights.h5'), 'r') as f:
        weights = []
        for layer_name in _names(f.attrs['layer_names']):
            group = f[layer_name]
            weights += [group[w][()] for w in _names(group.attrs['weight_names'])]
    model.set_weights(weights)


def run_fixture(name):
    """Build the fixture's model with its seed, compare initial weights, load the trained
    weights and optimizer state, then compare predictions and one training step."""
    fixture = _manifest()[name]
    K.reset_uids()
    np.random.seed(fixture['build_seed'])
    scope = {}
    exec('from keraslike.layers import *\nfrom keraslike.models import Sequential\n'
         'from keraslike.optimizers import *\n' + fixture['snippet'], scope)
    model = scope['model']
    io = np.load(os.path.join(FIXTURES, name + '_io.npz'))
    n = len(fixture['get_weights_names'])
    init = model.get_weights()
    load_keras1_weights(model, name)
    np.testing.assert_allclose(model.predict(io['x0']), io['y0'], rtol=1e-5, atol=1e-6)
    model.model._make_train_function()
    with h5py.File(os.path.join(FIXTURES, name + '_model.h5'), 'r') as f:
        group = f['optimizer_weights']
        model.optimizer.set_weights([group[w][()] for w in _names(group.attrs['weight_names'])])
    out = np.atleast_1d(model.train_on_batch(io['bx0'], io['by0']))
    np.testing.assert_allclose(np.asarray(out, 'float64'), io['tob_out'], rtol=1e-5)
    np.testing.assert_allclose(model.predict(io['x0']), io['after0'], rtol=1e-4, atol=1e-6)
    return init, [io['init_w%d' % i] for i in range(n)]


@pytest.mark.parametrize('name', ['lstm_cpu', 'gru_variants', 'simplernn'])
def test_keras1_fixture(name):
    init, keras_init = run_fixture(name)
    # np.random.seed reproduces Keras 1's initial weights (same draws, same order); the
    # orthogonal ones can differ by LAPACK's sign choices in the SVD
    for mine, theirs, weight_name in zip(init, keras_init, _manifest()[name]['get_weights_names']):
        if not weight_name.endswith('_U'):
            np.testing.assert_allclose(mine, theirs, rtol=1e-6, err_msg=weight_name)


# ------------------------------------------------------------------ ConvLSTM2D
def test_convlstm2d_keras1_fixture():
    K.conv2d(K.placeholder(shape=(None, 1, 4, 4)), K.variable(np.zeros((1, 1, 2, 2))))
    init, keras_init = run_fixture('convlstm2d')   # (registration above draws no weights)
    for mine, theirs in zip(init, keras_init):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)


def test_convlstm2d_orderings_agree_and_shapes():
    from keraslike.layers import ConvLSTM2D
    np.random.seed(11)
    x_th = Input(shape=(3, 2, 5, 5))
    th = ConvLSTM2D(3, 3, 3, dim_ordering='th', border_mode='same', return_sequences=True,
                    go_backwards=True)
    x_tf = Input(shape=(3, 5, 5, 2))
    tf = ConvLSTM2D(filters=3, kernel_size=(3, 3), data_format='channels_last',
                    padding='same', return_sequences=True, go_backwards=True)
    model = Model([x_th, x_tf], [th(x_th), tf(x_tf)])
    assert th.output_shape == (None, 3, 3, 5, 5) and tf.output_shape == (None, 3, 5, 5, 3)
    # th kernels (out, in, r, c) -> tf kernels (r, c, in, out)
    tf.set_weights([w.transpose(2, 3, 1, 0) if w.ndim == 4 else w for w in th.get_weights()])
    x = np.random.rand(2, 3, 2, 5, 5).astype('float32')
    a, b = model.predict([x, x.transpose(0, 1, 3, 4, 2)])
    np.testing.assert_allclose(b, a.transpose(0, 1, 3, 4, 2), rtol=1e-5, atol=1e-6)
    assert th.weights[0].name.endswith('_W_i') and th.weights[3].name.endswith('_W_c')
    assert ConvLSTM2D.from_config(th.get_config()).get_config() == th.get_config()
