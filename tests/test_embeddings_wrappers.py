"""Embedding, TimeDistributed and Bidirectional against NumPy, masks through them, configs,
and real Keras 1.2.2 fixtures."""
import numpy as np
import pytest

from keraslike import backend as K
from keraslike import regularizers
from keraslike.engine.topology import Input
from keraslike.layers import (GRU, LSTM, Bidirectional, Dense, Embedding, SimpleRNN,
                              TimeDistributed)
from keraslike.layers.wrappers import deserialize_layer
from keraslike.models import Model, Sequential
from test_recurrent import T, np_layer, run_fixture

V, E = 9, 4     # vocabulary, embedding size


def int_data(seed=0, n=4):
    rng = np.random.RandomState(seed)
    x = rng.randint(1, V, (n, T)).astype('int32')
    x[0, :2] = 0    # pre-padding
    x[1, 3] = 0     # a hole
    return x


# ------------------------------------------------------------------ one model, many layers
@pytest.fixture(scope='module')
def graph():
    """Embedding(mask_zero) feeding TimeDistributed and every Bidirectional merge mode."""
    np.random.seed(3)
    x_in = Input(shape=(T,), dtype='int32')
    embedding = Embedding(V, E, mask_zero=True, input_length=T)
    e = embedding(x_in)
    td = TimeDistributed(Dense(3, activation='tanh'))
    td_out = td(e)
    bis = {mode: Bidirectional(LSTM(2, return_sequences=True), merge_mode=mode)
           for mode in ('sum', 'mul', 'ave', 'concat', None)}
    bi_last = Bidirectional(GRU(2), merge_mode='concat')
    outputs = [e, td_out, bi_last(td_out)]
    for mode in ('sum', 'mul', 'ave', 'concat', None):
        out = bis[mode](td_out)
        outputs += out if isinstance(out, list) else [out]
    masks = [K.cast(m, K.floatx()) for m in (embedding.output_mask, td.output_mask,
                                             bis['sum'].output_mask)]
    model = Model(x_in, outputs)
    x = int_data()
    values = model.predict(x)
    mask_values = K.function([x_in], masks)([x])
    return dict(x=x, embedding=embedding, td=td, bis=bis, bi_last=bi_last, values=values,
                masks=mask_values)


def test_embedding_is_a_lookup_with_a_zero_mask(graph):
    x, values = graph['x'], graph['values']
    W = graph['embedding'].get_weights()[0]
    np.testing.assert_array_equal(values[0], W[x])
    for m in graph['masks']:
        np.testing.assert_array_equal(m, (x != 0).astype('float32'))


def test_time_distributed_dense_matches_numpy(graph):
    x, values = graph['x'], graph['values']
    W_emb = graph['embedding'].get_weights()[0]
    W, b = graph['td'].get_weights()
    np.testing.assert_allclose(values[1], np.tanh(W_emb[x].dot(W) + b), rtol=1e-5, atol=1e-6)


def _merge(mode, forward, backward):
    backward = backward[:, ::-1] if backward.ndim == 3 else backward
    return {'sum': lambda: forward + backward, 'mul': lambda: forward * backward,
            'ave': lambda: (forward + backward) / 2.,
            'concat': lambda: np.concatenate([forward, backward], axis=-1),
            None: lambda: [forward, backward]}[mode]()


def test_bidirectional_every_merge_mode_matches_numpy(graph):
    x, values = graph['x'], graph['values']
    seq, mask = values[1], (x != 0).astype('float32')
    expected = [_merge('concat', np_layer(graph['bi_last'].forward_layer, seq, mask),
                       np_layer(graph['bi_last'].backward_layer, seq, mask))]
    for mode in ('sum', 'mul', 'ave', 'concat', None):
        bi = graph['bis'][mode]
        out = _merge(mode, np_layer(bi.forward_layer, seq, mask),
                     np_layer(bi.backward_layer, seq, mask))
        expected += out if isinstance(out, list) else [out]
    for got, want in zip(values[2:], expected):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


def test_bidirectional_weights_and_shapes(graph):
    bi = graph['bis']['concat']
    assert bi.output_shape == (None, T, 4)
    assert graph['bis'][None].output_shape == [(None, T, 2), (None, T, 2)]
    assert graph['bi_last'].output_shape == (None, 4)
    names = [w.name for w in bi.weights]
    forward, backward = bi.forward_layer.name, bi.backward_layer.name
    assert forward.startswith('forward_lstm_') and backward.startswith('backward_lstm_')
    assert names[:12] == [forward + '_' + n for n in ('W_i', 'U_i', 'b_i', 'W_c', 'U_c', 'b_c',
                                                      'W_f', 'U_f', 'b_f', 'W_o', 'U_o', 'b_o')]
    assert names[12:] == [n.replace(forward, backward) for n in names[:12]]
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    weights = bi.get_weights()
    bi.set_weights(weights[::-1][::-1])
    with pytest.raises(ValueError, match='expects 24 weights'):
        bi.set_weights(weights[:12])


def test_time_distributed_weights_are_the_inner_layers(graph):
    td = graph['td']
    inner = td.layer.name
    assert [w.name for w in td.trainable_weights] == [inner + '_W', inner + '_b']
    assert td.output_shape == (None, T, 3)
    td.trainable = False
    assert td.trainable_weights == [] and len(td.non_trainable_weights) == 2
    td.trainable = True


# ------------------------------------------------------------------ more TimeDistributed
def test_time_distributed_recurrent_layer_and_regularizers():
    """TimeDistributed(LSTM) over (samples, rows, cols, features), as in Keras 1's
    mnist_hierarchical_rnn; the inner activity regularizer lands on the wrapper."""
    np.random.seed(4)
    x_in = Input(shape=(3, T, 2))
    td = TimeDistributed(LSTM(4, activity_regularizer=regularizers.activity_l2(0.1)))
    y = td(x_in)
    assert td.output_shape == (None, 3, 4)
    x = np.random.rand(2, 3, T, 2).astype('float32')
    out, reg = K.function([x_in], [y, K.sum(td.losses[0])])([x])
    expected = np.stack([np_layer(td.layer, x[:, i], None) for i in range(3)], axis=1)
    np.testing.assert_allclose(out, expected, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(reg, 0.1 * np.sum(out ** 2), rtol=1e-4)


def test_wrapper_errors_and_configs():
    with pytest.raises(ValueError, match='at least 3 dimensions'):
        TimeDistributed(Dense(2), name='td_bad')(Input(shape=(4,)))
    with pytest.raises(ValueError, match='Invalid merge mode'):
        Bidirectional(LSTM(2), merge_mode='max')
    with pytest.raises(TypeError, match='recurrent layer'):
        Bidirectional(Dense(2))
    bi = Bidirectional(SimpleRNN(3, name='rnn_x'), merge_mode='mul', name='bi_x')
    config = bi.get_config()
    assert config['merge_mode'] == 'mul' and config['layer']['config']['name'] == 'rnn_x'
    clone = Bidirectional.from_config(config)
    assert clone.forward_layer.name == 'forward_rnn_x' and clone.merge_mode == 'mul'
    td = deserialize_layer({'class_name': 'TimeDistributed',
                            'config': TimeDistributed(Dense(5), name='td_x').get_config()})
    assert isinstance(td.layer, Dense) and td.layer.output_dim == 5 and td.name == 'td_x'


def test_bidirectional_weights_argument_and_stateful_reset():
    rng = np.random.RandomState(0)
    template = Bidirectional(GRU(2), input_shape=(T, 3))
    template.build((None, T, 3))
    weights = [rng.rand(*w.shape) for w in template.get_weights()]
    bi = Bidirectional(GRU(2, stateful=True), weights=weights, batch_input_shape=(2, T, 3))
    Sequential([bi])
    for got, want in zip(bi.get_weights(), weights):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert bi.stateful
    for layer in (bi.forward_layer, bi.backward_layer):
        K.set_value(layer.states[0], np.ones((2, 2)))
    bi.reset_states()
    assert all(np.all(K.get_value(layer.states[0]) == 0)
               for layer in (bi.forward_layer, bi.backward_layer))


# ------------------------------------------------------------------ Embedding details
def test_embedding_arguments_and_config():
    emb = Embedding(input_dim=20, output_dim=3, embeddings_initializer='normal',
                    embeddings_regularizer='l2', input_length=7, name='emb')
    assert emb.init.__name__ == 'normal' and emb.W_regularizer is not None
    config = emb.get_config()
    assert config['batch_input_shape'] == (None, 7) and config['input_dtype'] == 'int32'
    assert Embedding.from_config(config).get_config() == config
    emb.build((None, 7))
    assert emb.get_output_shape_for((None, 7)) == (None, 7, 3)
    with pytest.raises(ValueError, match='input_length is 7'):
        emb.get_output_shape_for((None, 6))
    with pytest.raises(ValueError, match='dropout'):
        Embedding(3, 2, dropout=1.)
    weights = np.arange(6, dtype='float32').reshape(3, 2)
    fixed = Embedding(3, 2, weights=[weights], trainable=False)
    fixed.build((None, None))
    np.testing.assert_array_equal(fixed.get_weights()[0], weights)
    assert fixed.trainable_weights == []


def test_embedding_dropout_drops_whole_word_vectors():
    x_in = Input(shape=(6,), dtype='int32')
    emb = Embedding(50, 8, dropout=0.5)
    y = emb(x_in)
    assert emb.uses_learning_phase
    train = K.function([x_in], [y], givens={K.learning_phase(): 1})
    x = np.tile(np.arange(1, 7, dtype='int32'), (4, 1))
    out = train([x])[0]
    W = emb.get_weights()[0]
    dropped = np.all(out == 0., axis=-1)
    assert dropped.any() and (~dropped).any()
    np.testing.assert_allclose(out[~dropped], 2. * W[x][~dropped], rtol=1e-5)
    # one decision per word (row of W) for the whole batch
    assert np.all(dropped == dropped[:1])


# ------------------------------------------------------------------ real Keras 1.2.2 fixtures
@pytest.mark.parametrize('name', ['timedistributed_bidirectional', 'bidirectional_modes'])
def test_keras1_fixture(name):
    init, keras_init = run_fixture(name)
    np.testing.assert_allclose(init[0], keras_init[0], rtol=1e-6)
