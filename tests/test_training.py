"""Sequential/Model training end to end: learning, History, validation, weights, errors."""
import re

import numpy as np
import pytest

from keraslike import backend as K
from keraslike.callbacks import Callback
from keraslike.datasets import digits
from keraslike.layers import Activation, Dense, Dropout, Input
from keraslike.models import Model, Sequential
from keraslike.optimizers import SGD
from keraslike.utils.np_utils import to_categorical


@pytest.fixture(scope='module')
def digits_data():
    (X, y), (Xt, yt) = digits.load_data()
    return X, to_categorical(y, 10), Xt, to_categorical(yt, 10), yt


@pytest.fixture(scope='module')
def trained_mlp(digits_data):
    """The guide's multi-class MLP shape, trained on the bundled digits; shared by tests."""
    X, Y, Xt, Yt, _ = digits_data
    np.random.seed(1337)
    model = Sequential()
    model.add(Dense(64, input_dim=64, init='uniform'))
    model.add(Activation('tanh'))
    model.add(Dropout(0.2))
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    recorder = ValidationRecorder()
    history = model.fit(X, Y, nb_epoch=8, batch_size=32, validation_split=0.1, verbose=0,
                        callbacks=[recorder])
    return model, history, recorder


class ValidationRecorder(Callback):
    def on_train_begin(self, logs=None):
        self.validation_data = self.model.validation_data
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)


def test_mlp_learns_digits(trained_mlp, digits_data):
    model, history, _ = trained_mlp
    _, _, Xt, Yt, yt = digits_data
    loss, acc = model.evaluate(Xt, Yt, verbose=0)
    assert acc > 0.9
    assert history.history['loss'][-1] < history.history['loss'][0] / 2
    classes = model.predict_classes(Xt, verbose=0)
    assert (classes == yt).mean() == pytest.approx(acc, abs=1e-6)
    proba = model.predict_proba(Xt[:5], verbose=0)
    np.testing.assert_allclose(proba.sum(1), np.ones(5), rtol=1e-5)


def test_history_keys_and_epochs(trained_mlp):
    _, history, recorder = trained_mlp
    assert sorted(history.history) == ['acc', 'loss', 'val_acc', 'val_loss']
    assert history.epoch == list(range(8)) == recorder.epochs
    assert all(isinstance(v, float) for v in history.history['val_loss'])


def test_validation_split_takes_last_fraction(trained_mlp, digits_data):
    X, Y, _, _, _ = digits_data
    _, _, recorder = trained_mlp
    val_x, val_y, val_w = recorder.validation_data
    split_at = int(len(X) * 0.9)
    np.testing.assert_array_equal(val_x, X[split_at:])
    np.testing.assert_array_equal(val_y, Y[split_at:])
    np.testing.assert_array_equal(val_w, np.ones(len(X) - split_at))


def test_metrics_names_and_evaluate_match_numpy(trained_mlp, digits_data):
    model, _, _ = trained_mlp
    _, _, Xt, Yt, yt = digits_data
    assert model.metrics_names == ['loss', 'acc']
    probs = model.predict(Xt, batch_size=64)
    p = np.clip(probs / probs.sum(1, keepdims=True), 1e-7, 1 - 1e-7)
    ref_loss = -(Yt * np.log(p)).sum(1).mean()
    loss, acc = model.evaluate(Xt, Yt, batch_size=50, verbose=0)
    assert loss == pytest.approx(ref_loss, rel=1e-4)
    assert acc == pytest.approx((probs.argmax(1) == yt).mean())
    w = np.linspace(0, 2, len(Xt))
    wloss, _ = model.evaluate(Xt, Yt, sample_weight=w, verbose=0, batch_size=len(Xt))
    per_sample = -(Yt * np.log(p)).sum(1)
    assert wloss == pytest.approx((per_sample * w).mean() / (w != 0).mean(), rel=1e-4)


def test_bad_input_errors(trained_mlp, digits_data):
    model, _, _ = trained_mlp
    X, Y, _, _, _ = digits_data
    with pytest.raises(ValueError, match=r'expected dense_input_\d+ to have shape \(None, 64\) '
                                         r'but got array with shape \(10, 63\)'):
        model.fit(X[:10, :63], Y[:10], verbose=0)
    with pytest.raises(ValueError, match=r'expected dense_input_\d+ to have 2 dimensions'):
        model.predict(X[:10].reshape(10, 8, 8))
    with pytest.raises(ValueError, match='same number of samples as target arrays. Found 10 '
                                         'input samples and 9 target samples'):
        model.fit(X[:10], Y[:9], verbose=0)
    with pytest.raises(ValueError, match='to_categorical'):
        model.fit(X[:10], np.arange(10), verbose=0)
    with pytest.raises(TypeError, match='expected numeric data'):
        model.predict(np.array([['a'] * 64]))
    with pytest.raises(TypeError, match='Unrecognized keyword arguments'):
        model.model.fit(X[:10], Y[:10], nb_epochs=2)


def test_unknown_identifiers_list_valid_names():
    model = Sequential([Dense(2, input_dim=3)])
    with pytest.raises(ValueError, match='Invalid optimizer: adamw.*Valid names.*rmsprop'):
        model.compile('adamw', 'mse')
    with pytest.raises(ValueError, match='Invalid objective: msee'):
        model.compile('sgd', 'msee')
    with pytest.raises(ValueError, match='Invalid activation function: relux'):
        Dense(2, activation='relux')


def test_first_layer_needs_input_shape():
    model = Sequential()
    with pytest.raises(ValueError, match='must get an `input_shape` or `batch_input_shape`'):
        model.add(Dense(3))
    with pytest.raises(RuntimeError, match='compile'):
        Sequential([Dense(2, input_dim=3)]).fit(np.zeros((2, 3)), np.zeros((2, 2)))


def test_sgd_lr_zero_history_equals_evaluate():
    """With a zero learning rate the weights stay put, so each epoch's loss is the evaluate loss."""
    np.random.seed(3)
    X = np.random.rand(40, 5).astype('float32')
    Y = np.random.rand(40, 2).astype('float32')
    model = Sequential([Dense(2, input_dim=5)])
    model.compile(SGD(lr=0.), 'mse', metrics=['mae'])
    before = model.get_weights()
    history = model.fit(X, Y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    loss, mae = model.evaluate(X, Y, verbose=0)
    assert history.history['loss'] == pytest.approx([loss, loss], rel=1e-5)
    assert history.history['mean_absolute_error'] == pytest.approx([mae, mae], rel=1e-5)
    W, b = before
    pred = X.dot(W) + b
    assert loss == pytest.approx(((pred - Y) ** 2).mean(), rel=1e-5)
    out = model.train_on_batch(X[:8], Y[:8])
    assert out[0] == pytest.approx(((pred[:8] - Y[:8]) ** 2).mean(), rel=1e-5)
    np.testing.assert_allclose(model.predict_on_batch(X[:3]), pred[:3], rtol=1e-5)
    test_loss = model.test_on_batch(X[:8], Y[:8], sample_weight=np.r_[np.ones(4), np.zeros(4)])
    per_sample = ((pred[:8] - Y[:8]) ** 2).mean(1)
    assert test_loss[0] == pytest.approx(per_sample[:4].mean(), rel=1e-5)


def test_class_weight_scales_loss():
    X = np.eye(4, dtype='float32')
    Y = to_categorical([0, 1, 1, 1], 2)
    model = Sequential([Dense(2, input_dim=4, activation='softmax', init='zero')])
    model.compile(SGD(lr=0.), 'categorical_crossentropy')
    plain = model.test_on_batch(X, Y)
    assert plain == pytest.approx(np.log(2), rel=1e-5)
    # train_on_batch with class weights {0: 3, 1: 1}: mean(w * l) / mean(w != 0)
    weighted = model.train_on_batch(X, Y, class_weight={0: 3., 1: 1.})
    assert weighted == pytest.approx(np.log(2) * (3 + 1 + 1 + 1) / 4, rel=1e-5)


def test_seeded_runs_are_reproducible():
    def run():
        np.random.seed(42)
        X = np.random.rand(64, 4).astype('float32')
        Y = to_categorical(np.random.randint(0, 3, 64), 3)
        # two dropouts in a row: the second draws a mask shaped like the first's output
        model = Sequential([Dense(8, input_dim=4, activation='relu'), Dropout(0.5),
                            Dropout(0.2), Dense(3, activation='softmax')])
        model.compile('adam', 'categorical_crossentropy')
        model.fit(X, Y, nb_epoch=2, batch_size=16, verbose=0)
        return model.get_weights()
    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_functional_model_keras2_spelling_and_sequential_equivalents():
    x = Input(shape=(3,))
    y = Dense(2, activation='softmax')(x)
    model = Model(inputs=x, outputs=y)
    assert model.input_names == [x._keras_history[0].name]
    assert [type(l).__name__ for l in model.layers] == ['InputLayer', 'Dense']
    shapes = []
    for layer in (Dense(32, input_shape=(784,)), Dense(32, batch_input_shape=(None, 784)),
                  Dense(32, input_dim=784)):
        seq = Sequential()
        seq.add(layer)
        shapes.append((seq.input_shape, seq.output_shape, seq.count_params()))
    assert shapes == [((None, 784), (None, 32), 784 * 32 + 32)] * 3


SUMMARY = """\
____________________________________________________________________________________________________
Layer (type)                     Output Shape          Param #     Connected to                     
====================================================================================================
dense_1 (Dense)                  (None, 4)             16          dense_input_1[0][0]              
____________________________________________________________________________________________________
dropout_1 (Dropout)              (None, 4)             0           dense_1[0][0]                    
____________________________________________________________________________________________________
dense_2 (Dense)                  (None, 2)             10          dropout_1[0][0]                  
====================================================================================================
Total params: 26
Trainable params: 26
Non-trainable params: 0
____________________________________________________________________________________________________
"""


def test_summary_matches_keras1_text(capsys):
    K.reset_uids()
    model = Sequential([Dense(4, input_dim=3), Dropout(0.5), Dense(2)])
    model.summary()
    assert capsys.readouterr().out == SUMMARY


def test_fit_progress_output(capsys):
    model = Sequential([Dense(1, input_dim=2, activation='sigmoid', init='zero')])
    model.compile(SGD(lr=0.), 'binary_crossentropy', metrics=['accuracy'])
    X = np.zeros((80, 2), dtype='float32')
    model.fit(X, np.ones(80), nb_epoch=1, batch_size=32, validation_split=0.2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == 'Train on 64 samples, validate on 16 samples'
    assert lines[1] == 'Epoch 1/1'
    # sigmoid(0) = 0.5 everywhere: loss log(2); round(0.5) = 0, so accuracy 0 for targets 1 (Keras 1 prints 0 as %.4e)
    expected = ' - loss: 0.6931 - acc: 0.0000e+00 - val_loss: 0.6931 - val_acc: 0.0000e+00'
    assert re.fullmatch(r'\d+s' + re.escape(expected), lines[2])


def test_trainable_false_freezes_weights():
    np.random.seed(5)
    frozen = Dense(3, input_dim=2, trainable=False)
    model = Sequential([frozen, Dense(1)])
    model.compile('sgd', 'mse')
    before = frozen.get_weights()
    model.fit(np.random.rand(16, 2), np.random.rand(16, 1), nb_epoch=1, verbose=0)
    for a, b in zip(before, frozen.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
