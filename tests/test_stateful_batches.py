"""Stateful models and the batch sizes their loops run (Keras 1.2.2 semantics).

Keras 1.2.2's ``predict`` asks that the samples divide into batches only when
there are more samples than ``batch_size``: fewer run as one batch. So a
stateful model built for batches of 2 predicts 2 samples with the default
``batch_size=32``. Here ``fit``, ``evaluate`` and the ``*_on_batch`` methods
follow the same rule (Keras 1.2.2's ``fit``/``evaluate`` refused
``2 % 32 != 0``; accepting it breaks no Keras 1 script). A batch of any other
size than the stateful one fails before anything runs, with an error naming
the layer and the batch size it expects (Keras 1 left it to Theano's shape
error inside the loop).
"""
import numpy as np
import pytest

from keraslike.engine.topology import Input
from keraslike.layers import GRU, LSTM, ConvLSTM2D, Flatten, SimpleRNN
from keraslike.models import Model, Sequential

BATCH, STEPS = 2, 3
KINDS = ['SimpleRNN', 'GRU', 'LSTM', 'ConvLSTM2D']


def _rnn(kind, stateful, steps):
    """A tiny recurrent layer (and the shape of one sample) for ``kind``."""
    if kind == 'ConvLSTM2D':
        sample = (steps, 3, 3, 1)
        layer = ConvLSTM2D(2, 2, 2, dim_ordering='tf', stateful=stateful, name='rnn',
                           **_input_kwargs(stateful, sample))
        return [layer, Flatten()], sample
    sample = (steps, 4)
    cls = {'SimpleRNN': SimpleRNN, 'GRU': GRU, 'LSTM': LSTM}[kind]
    return [cls(3, stateful=stateful, name='rnn', **_input_kwargs(stateful, sample))], sample


def _input_kwargs(stateful, sample):
    return {'batch_input_shape': (BATCH,) + sample} if stateful else {'input_shape': sample}


class Case(object):
    def __init__(self, kind):
        np.random.seed(1)
        layers, self.sample = _rnn(kind, True, STEPS)
        self.model = Sequential(layers)
        self.model.compile('sgd', 'mse')
        self.x = np.random.rand(BATCH, *self.sample).astype('float32')
        self.y = np.random.rand(BATCH, self.model.output_shape[1]).astype('float32')
        self.weights = self.model.get_weights()
        self.kind = kind

    def fresh(self):
        self.model.set_weights(self.weights)
        self.model.reset_states()
        return self.model

    def rows(self, n):
        return np.random.rand(n, *self.sample).astype('float32')


@pytest.fixture(scope='module', params=KINDS)
def case(request):
    return Case(request.param)


def test_predict_with_the_default_batch_size_runs_the_stateful_batch(case):
    model = case.fresh()
    first = model.predict(case.x)                       # batch_size=32 > 2 samples
    assert first.shape == (BATCH, model.output_shape[1])
    second = model.predict(case.x)                      # continues from the states left
    assert not np.allclose(first, second)
    np.testing.assert_allclose(case.fresh().predict(case.x, batch_size=BATCH), first,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(case.fresh().predict_on_batch(case.x), first,
                               rtol=1e-5, atol=1e-6)

    # the two stateful calls = one non-stateful pass over both sequences in a row
    layers, _ = _rnn(case.kind, False, 2 * STEPS)
    plain = Sequential(layers)
    plain.set_weights(case.weights)
    whole = plain.predict(np.concatenate([case.x, case.x], axis=1))
    np.testing.assert_allclose(second, whole, rtol=1e-4, atol=1e-5)


def test_evaluate_with_the_default_batch_size(case):
    model = case.fresh()
    expected = float(np.mean((model.predict_on_batch(case.x) - case.y) ** 2))
    np.testing.assert_allclose(case.fresh().evaluate(case.x, case.y, verbose=0), expected,
                               rtol=1e-5)
    np.testing.assert_allclose(case.fresh().test_on_batch(case.x, case.y), expected, rtol=1e-5)


def test_fit_with_the_default_batch_size_runs_the_same_steps(case):
    model = case.fresh()
    model.fit(case.x, case.y, nb_epoch=3, verbose=0, shuffle=False)     # batch_size=32
    trained = model.get_weights()
    model = case.fresh()
    model.fit(case.x, case.y, batch_size=BATCH, nb_epoch=3, verbose=0, shuffle=False)
    for a, b, w0 in zip(trained, model.get_weights(), case.weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    assert any(not np.allclose(a, w0) for a, w0 in zip(trained, case.weights))
    case.fresh().train_on_batch(case.x, case.y)


def test_another_batch_size_fails_naming_the_expected_one(case):
    model = case.fresh()
    three = case.rows(3)
    y3 = np.zeros((3, model.output_shape[1]), 'float32')
    expects = r'Layer rnn expects batch size 2 .*Found: batch size 3'
    # Keras 1 ran this batch of 3 and failed inside Theano
    with pytest.raises(ValueError, match=expects + r' \(predict runs batches of min'):
        model.predict(three)
    with pytest.raises(ValueError, match=expects + r' \(evaluate'):
        model.evaluate(three, y3, verbose=0)
    with pytest.raises(ValueError, match=expects + r' \(fit'):
        model.fit(three, y3, nb_epoch=1, verbose=0)
    with pytest.raises(ValueError, match=expects + r' \(train_on_batch runs all its samples'):
        model.train_on_batch(three, y3)
    with pytest.raises(ValueError, match=expects + r' \(test_on_batch'):
        model.test_on_batch(three, y3)
    # Keras 1.2.2's predict_on_batch checks the whole input shape, batch axis included
    with pytest.raises(ValueError, match=r'expected \w+_input_\d+ to have shape \(2, '):
        model.predict_on_batch(three)


def test_more_samples_than_batch_size_must_divide(case):
    model = case.fresh()
    four = case.rows(4)
    # Keras 1.2.2's own check and message: 4 samples do not divide into batches of 3
    with pytest.raises(ValueError, match='can be divided by the batch size. Found: 4 samples. '
                                         'Batch size: 3.'):
        model.predict(four, batch_size=3)
    # 4 samples under the default batch_size=32 would run as one batch of 4
    with pytest.raises(ValueError, match='expects batch size 2 .*Found: batch size 4'):
        model.predict(four)
    assert model.predict(four, batch_size=BATCH).shape == (4, model.output_shape[1])


# ---------------------------------------------------------------- the SimpleRNN alone
@pytest.fixture(scope='module')
def rnn():
    return Case('SimpleRNN')


def test_fit_checks_the_batches_after_a_validation_split(rnn):
    model = rnn.fresh()
    four, y4 = rnn.rows(4), np.zeros((4, 3), 'float32')
    # 3 training samples run as batches of 2 and 1
    with pytest.raises(ValueError, match='divided by the batch size. Found: 3 samples'):
        model.fit(four, y4, batch_size=BATCH, nb_epoch=1, verbose=0, validation_split=0.25)
    with pytest.raises(ValueError, match=r'expects batch size 2 .*Found: batch size 1 '
                                         r'\(the validation in fit'):
        model.fit(four, y4, batch_size=BATCH, nb_epoch=1, verbose=0,
                  validation_data=(rnn.rows(1), y4[:1]))
    history = model.fit(four, y4, batch_size=BATCH, nb_epoch=1, verbose=0, shuffle=False,
                        validation_split=0.5)
    assert sorted(history.history) == ['loss', 'val_loss']


def test_functional_stateful_model_predicts_with_the_default_batch_size(rnn):
    x = Input(batch_shape=(BATCH, STEPS, 4))
    model = Model(x, SimpleRNN(3, stateful=True)(x))
    model.layers[1].set_weights(rnn.weights)
    np.testing.assert_allclose(model.predict(rnn.x), rnn.fresh().predict(rnn.x),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r'expects batch size 2 .*Found: batch size 1'):
        model.predict(rnn.x[:1])
