"""Bad layer and utility arguments fail at construction, naming the argument (issue 16).

Sizes (``output_dim``, ``nb_filter``, ``n``, ...) must be positive integers,
dropout rates in [0, 1), input shapes tuples of positive integers (or None);
``to_categorical`` refuses labels it used to mangle and ``pad_sequences``
checks ``maxlen``/``padding``/``truncating`` up front. Also: importing jax
(JAX mode) leaves NumPy's global random stream alone, so one seed gives one
shuffle order in every mode.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from keraslike.engine.topology import Input
from keraslike.layers import (GRU, LSTM, Convolution1D, Convolution2D, ConvLSTM2D, Dense,
                              Dropout, Embedding, GaussianDropout, GaussianNoise, Highway,
                              LocallyConnected1D, MaxoutDense, RepeatVector,
                              SeparableConvolution2D, SimpleRNN, SpatialDropout1D,
                              SpatialDropout2D, SpatialDropout3D, UpSampling1D, UpSampling2D,
                              ZeroPadding2D, Cropping1D)
from keraslike.models import Sequential
from keraslike.preprocessing.sequence import pad_sequences
from keraslike.utils.np_utils import to_categorical

# (constructor, expected error type, words the message must contain)
BAD_LAYERS = {
    'Dense(0)': (lambda: Dense(0), ValueError, ['Dense', 'output_dim', 'positive integer', '0']),
    'Dense(-1)': (lambda: Dense(-1), ValueError, ['Dense', 'output_dim', '-1']),
    'Dense(2.5)': (lambda: Dense(2.5), TypeError, ['Dense', 'output_dim', '2.5']),
    "Dense('3')": (lambda: Dense('3'), TypeError, ['Dense', 'output_dim', "'3'"]),
    'Dense(True)': (lambda: Dense(True), TypeError, ['output_dim']),
    'Dense(units=0)': (lambda: Dense(units=0), ValueError, ['Dense', 'output_dim']),
    'Dense(input_dim=0)': (lambda: Dense(3, input_dim=0), ValueError, ['input_dim']),
    'MaxoutDense(0)': (lambda: MaxoutDense(0), ValueError, ['MaxoutDense', 'output_dim']),
    'MaxoutDense(nb_feature=0)': (lambda: MaxoutDense(3, nb_feature=0), ValueError,
                                  ['nb_feature']),
    'Highway(input_dim=-2)': (lambda: Highway(input_dim=-2), ValueError,
                              ['Highway', 'input_dim']),
    'Convolution2D(0, 3, 3)': (lambda: Convolution2D(0, 3, 3), ValueError,
                               ['Convolution2D', 'nb_filter']),
    'Conv2D(filters=-4)': (lambda: Convolution2D(filters=-4, kernel_size=(3, 3)), ValueError,
                           ['nb_filter']),
    'Convolution1D(4, 0)': (lambda: Convolution1D(4, 0), ValueError, ['kernel size']),
    'SeparableConvolution2D(depth_multiplier=0)': (
        lambda: SeparableConvolution2D(4, 3, 3, depth_multiplier=0), ValueError,
        ['depth_multiplier']),
    'LocallyConnected1D(0, 3)': (lambda: LocallyConnected1D(0, 3), ValueError, ['nb_filter']),
    'LSTM(-1)': (lambda: LSTM(-1), ValueError, ['LSTM', 'output_dim']),
    'GRU(units=0)': (lambda: GRU(units=0), ValueError, ['GRU', 'output_dim']),
    'SimpleRNN(input_length=0)': (lambda: SimpleRNN(3, input_dim=4, input_length=0),
                                  ValueError, ['input_length']),
    'ConvLSTM2D(0, 3, 3)': (lambda: ConvLSTM2D(0, 3, 3), ValueError, ['nb_filter']),
    'Embedding(0, 3)': (lambda: Embedding(0, 3), ValueError, ['Embedding', 'input_dim']),
    'Embedding(3, -1)': (lambda: Embedding(3, -1), ValueError, ['Embedding', 'output_dim']),
    'Embedding(input_length=-3)': (lambda: Embedding(5, 3, input_length=-3), ValueError,
                                   ['input_length']),
    'RepeatVector(0)': (lambda: RepeatVector(0), ValueError, ['RepeatVector', '`n`']),
    'UpSampling1D(0)': (lambda: UpSampling1D(0), ValueError, ['length']),
    'UpSampling2D((2, -1))': (lambda: UpSampling2D((2, -1)), ValueError, ['size']),
    'ZeroPadding2D((-1, 1))': (lambda: ZeroPadding2D((-1, 1)), ValueError, ['padding']),
    'Cropping1D((-1, 0))': (lambda: Cropping1D((-1, 0)), ValueError, ['cropping']),
    # dropout rates: [0, 1) (Keras 1 made p >= 1 the identity and p < 0 an amplifier)
    'Dropout(1.5)': (lambda: Dropout(1.5), ValueError, ['Dropout', '`p`', '[0, 1)', '1.5']),
    'Dropout(1)': (lambda: Dropout(1), ValueError, ['Dropout', '`p`']),
    'Dropout(-0.1)': (lambda: Dropout(-0.1), ValueError, ['Dropout', '-0.1']),
    "Dropout('0.5')": (lambda: Dropout('0.5'), TypeError, ['Dropout', '`p`']),
    'Dropout(rate=2)': (lambda: Dropout(rate=2), ValueError, ['Dropout', '`p`']),
    'SpatialDropout1D(1.2)': (lambda: SpatialDropout1D(1.2), ValueError, ['SpatialDropout1D']),
    'SpatialDropout2D(-1)': (lambda: SpatialDropout2D(-1), ValueError, ['SpatialDropout2D']),
    'SpatialDropout3D(3)': (lambda: SpatialDropout3D(3), ValueError, ['SpatialDropout3D']),
    'GaussianDropout(1.5)': (lambda: GaussianDropout(1.5), ValueError, ['GaussianDropout']),
    'GaussianNoise(-1)': (lambda: GaussianNoise(-1), ValueError, ['GaussianNoise', 'sigma']),
    'LSTM(dropout_W=1.2)': (lambda: LSTM(3, dropout_W=1.2), ValueError, ['LSTM', 'dropout_W']),
    'GRU(dropout_U=-0.5)': (lambda: GRU(3, dropout_U=-0.5), ValueError, ['GRU', 'dropout_U']),
    'LSTM(recurrent_dropout=1)': (lambda: LSTM(3, recurrent_dropout=1), ValueError,
                                  ['dropout_U']),
    'ConvLSTM2D(dropout_W=2)': (lambda: ConvLSTM2D(2, 3, 3, dropout_W=2), ValueError,
                                ['dropout_W']),
    'Embedding(dropout=1)': (lambda: Embedding(5, 3, dropout=1), ValueError, ['dropout']),
    # input shapes
    'Dense(input_shape=(-4,))': (lambda: Dense(3, input_shape=(-4,)), ValueError,
                                 ['Dense', 'input_shape', '-4']),
    'Dense(input_shape=(0,))': (lambda: Dense(3, input_shape=(0,)), ValueError,
                                ['input_shape']),
    'Dense(input_shape=(2.5,))': (lambda: Dense(3, input_shape=(2.5,)), ValueError,
                                  ['input_shape']),
    'Dense(input_shape=4)': (lambda: Dense(3, input_shape=4), TypeError, ['input_shape']),
    'LSTM(batch_input_shape=(0, 3, 4))': (lambda: LSTM(3, batch_input_shape=(0, 3, 4)),
                                          ValueError, ['batch_input_shape']),
    'Input(shape=(0,))': (lambda: Input(shape=(0,)), ValueError, ['shape']),
    'Input(shape=(4, -1))': (lambda: Input(shape=(4, -1)), ValueError, ['shape']),
}


@pytest.mark.parametrize('case', sorted(BAD_LAYERS))
def test_bad_layer_argument(case):
    build, error, words = BAD_LAYERS[case]
    with pytest.raises(error) as info:
        build()
    for word in words:
        assert word in str(info.value), (case, str(info.value))


def test_valid_sizes_still_accepted():
    # numpy ints (sizes computed with numpy) and integral floats (64 / 2) are sizes
    assert Dense(np.int64(3)).output_dim == 3
    assert type(Dense(np.int32(3)).output_dim) is int
    assert Dense(64 / 2).output_dim == 32
    assert Dense(units=np.int64(5)).output_dim == 5
    assert LSTM(np.int64(4)).output_dim == 4
    assert Convolution2D(np.int64(2), np.int64(3), 3).nb_filter == 2
    assert RepeatVector(np.int16(2)).n == 2
    assert Embedding(np.int64(10), 3).input_dim == 10
    # rate 0 is "no dropout", as in Keras 1
    assert Dropout(0).p == 0. and not Dropout(0.).uses_learning_phase
    assert Dropout(np.float32(0.5)).p == 0.5
    # None entries are unknown sizes
    assert Dense(3, input_shape=(None, 4)).batch_input_shape == (None, None, 4)
    assert LSTM(3, batch_input_shape=(None, None, np.int64(4))).batch_input_shape \
        == (None, None, 4)
    assert Input(shape=(np.int64(4),))._keras_shape == (None, 4)


def test_first_layer_without_input_shape():
    # input_shape=None is "not given": the Sequential explains what the first layer needs
    # (it used to be TypeError: 'NoneType' object is not iterable)
    for layer in (Dense(3, input_shape=None), Dense(3, batch_input_shape=None)):
        with pytest.raises(ValueError) as info:
            Sequential([layer])
        message = str(info.value)
        assert 'first layer' in message and 'input_shape' in message
    # but a later layer may leave it out
    model = Sequential([Dense(3, input_dim=4), Dense(2, input_shape=None)])
    assert model.output_shape == (None, 2)


# ---------------------------------------------------------------- to_categorical
@pytest.mark.parametrize('labels, nb_classes, words', [
    ([0, -1, 2], 3, ['>= 0', '-1']),            # Keras 1: -1 became the last class
    ([0, 1.5], 3, ['integer', '1.5']),           # Keras 1: truncated to class 1
    ([0, 3], 3, ['nb_classes=3', '3']),          # IndexError before
    ([0, 1], -2, ['nb_classes']),
    ([], None, ['nb_classes']),
    (['a'], 2, ['integer']),
])
def test_to_categorical_rejects_bad_labels(labels, nb_classes, words):
    with pytest.raises(ValueError) as info:
        to_categorical(labels, nb_classes)
    assert 'to_categorical' in str(info.value)
    for word in words:
        assert word in str(info.value)


def test_to_categorical_valid_labels():
    assert to_categorical(np.array([0., 2.]), 3).tolist() == [[1, 0, 0], [0, 0, 1]]
    assert to_categorical([[1], [0]]).tolist() == [[0, 1], [1, 0]]
    assert to_categorical(np.array([1, 0], dtype=np.uint8), np.int64(2)).shape == (2, 2)
    assert to_categorical([], 3).shape == (0, 3)


# ---------------------------------------------------------------- pad_sequences
@pytest.mark.parametrize('kwargs, error, words', [
    ({'maxlen': -2}, ValueError, ['maxlen', '-2']),
    ({'maxlen': 1.5}, TypeError, ['maxlen', '1.5']),
    ({'maxlen': '3'}, TypeError, ['maxlen']),
    ({'padding': 'middle'}, ValueError, ['padding', 'middle', '"pre" or "post"']),
    ({'truncating': 'both'}, ValueError, ['truncating', 'both']),
])
def test_pad_sequences_bad_arguments(kwargs, error, words):
    with pytest.raises(error) as info:
        pad_sequences([[1, 2, 3], [4]], **kwargs)
    for word in words:
        assert word in str(info.value)
    # checked even with nothing to pad (Keras 1 only noticed while padding a sequence)
    with pytest.raises(error):
        pad_sequences([], **kwargs)


def test_pad_sequences_maxlen_zero_and_integral():
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
    assert pad_sequences([[1, 2, 3]], maxlen=np.int64(2)).tolist() == [[2, 3]]
    assert pad_sequences([[1, 2, 3]], maxlen=2.0).tolist() == [[2, 3]]


# ---------------------------------------------------------------- NumPy's random stream
def _run(code, mode, timeout=240):
    env = dict(os.environ, KERASLIKE_MODE=mode)
    result = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_importing_jax_leaves_numpy_random_stream_alone():
    pytest.importorskip('jax')
    # jax's first import draws from np.random (jax/_src/clusters/k8s_cluster.py); the JAX
    # mode imports it when it first compiles (here: at predict)
    code = """
        import sys
        import numpy as np
        np.random.seed(1)
        state = np.random.get_state()
        from keraslike.layers import Dense
        from keraslike.models import Sequential
        model = Sequential([Dense(3, input_dim=4, activation='softmax')])
        np.random.set_state(state)      # (the weight initialisation draws, as it should)
        model.compile('sgd', 'categorical_crossentropy')
        model.predict(np.zeros((2, 4), 'float32'))
        assert 'jax' in sys.modules
        print(repr(np.random.rand()))
    """
    np.random.seed(1)
    expected = repr(np.random.rand())
    assert _run(code, 'JAX') == expected


def test_same_seed_same_shuffle_in_jax_and_numba():
    pytest.importorskip('jax')
    code = """
        import numpy as np
        np.random.seed(1)
        from keraslike.layers import Dense
        from keraslike.models import Sequential
        model = Sequential([Dense(3, input_dim=4, activation='softmax')])
        model.compile('sgd', 'categorical_crossentropy')
        x = np.random.rand(8, 4).astype('float32')
        y = np.eye(3)[np.arange(8) % 3]
        model.fit(x, y, batch_size=2, nb_epoch=2, shuffle=True, verbose=0)
        print(repr(np.random.rand()), model.get_weights()[0].ravel().round(5).tolist())
    """
    assert _run(code, 'JAX') == _run(code, 'NUMBA')
