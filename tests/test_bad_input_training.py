"""Bad arguments to compile/fit/evaluate/predict fail early, with errors naming the argument.

Every check runs before the first batch: where a case used to train (or to
return ``{}``/``[]``) the tests also assert that the weights did not change.
"""
import warnings

import numpy as np
import pytest

from keraslike.callbacks import Callback, ModelCheckpoint
from keraslike.layers import Dense, Input, merge
from keraslike.models import Model, Sequential

RNG = np.random.RandomState(0)
X = RNG.rand(8, 4).astype('float32')
Y = np.eye(3)[RNG.randint(0, 3, 8)].astype('float32')
LABELS = RNG.randint(0, 3, (8, 1))


def _compiled(units=3, loss='categorical_crossentropy', activation='softmax'):
    model = Sequential([Dense(units, input_dim=4, activation=activation)])
    model.compile('sgd', loss)
    return model


@pytest.fixture(scope='module')
def m():
    return _compiled()


@pytest.fixture(scope='module')
def sparse_model():
    return _compiled(loss='sparse_categorical_crossentropy')


@pytest.fixture(scope='module')
def two_inputs():
    a, b = Input((4,), name='input_a'), Input((4,), name='input_b')
    model = Model([a, b], Dense(3, activation='softmax')(merge([a, b], mode='concat')))
    model.compile('sgd', 'categorical_crossentropy')
    return model


def _raises_untrained(model, exc, match, call):
    """``call()`` raises ``exc`` matching ``match`` and leaves the weights as they were."""
    before = model.get_weights()
    with pytest.raises(exc, match=match):
        call()
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


# ---------------------------------------------------------------- targets and the loss
def test_integer_labels_with_categorical_crossentropy_on_one_unit_softmax():
    # the 1-unit softmax is always 1: loss ~0 and nothing learnt; Keras 1 raised here too
    model = _compiled(units=1)
    _raises_untrained(model, ValueError, r'target array of shape \(8, 1\) while using as loss '
                      '`categorical_crossentropy`', lambda: model.fit(X, LABELS, verbose=0))
    with pytest.raises(ValueError, match='categorical_crossentropy'):
        model.evaluate(X, LABELS, verbose=0)


@pytest.mark.parametrize('bad', [7, -1, 0.5, np.nan])
def test_sparse_labels_outside_the_classes(sparse_model, bad):
    labels = LABELS.astype('float32')
    labels[3] = bad
    match = r'sparse_categorical_crossentropy.*\[0, 3\).*%s' % ('nan' if np.isnan(bad) else bad)
    _raises_untrained(sparse_model, ValueError, match,
                      lambda: sparse_model.fit(X, labels, nb_epoch=1, verbose=0))
    with pytest.raises(ValueError, match=match):
        sparse_model.evaluate(X, labels, verbose=0)
    with pytest.raises(ValueError, match=match):
        sparse_model.fit(X, LABELS, nb_epoch=0, verbose=0, validation_data=(X, labels))


def test_sparse_labels_in_range_still_train(sparse_model):
    history = sparse_model.fit(X, LABELS.astype('float32'), nb_epoch=1, verbose=0)
    assert np.isfinite(history.history['loss'][0]) and history.history['loss'][0] > 0


# ---------------------------------------------------------------- no samples
@pytest.mark.parametrize('call', [
    lambda m: m.fit(X[:0], Y[:0], verbose=0),
    lambda m: m.fit(X[:0], Y[:0], verbose=1),  # was an OverflowError in the progress bar
    lambda m: m.evaluate(X[:0], Y[:0], verbose=0),
    lambda m: m.predict(X[:0]),
    lambda m: m.predict_classes(X[:0], verbose=0),
    lambda m: m.predict_proba(X[:0], verbose=0),
    lambda m: m.train_on_batch(X[:0], Y[:0]),
    lambda m: m.predict_on_batch(X[:0]),
])
def test_zero_samples(m, call):
    _raises_untrained(m, ValueError, r'"dense_input_\d+" got 0 samples', lambda: call(m))


# ---------------------------------------------------------------- batch_size and epochs
@pytest.mark.parametrize('batch_size, exc', [(-1, ValueError), (0, ValueError),
                                             (2.5, TypeError), (None, TypeError),
                                             (True, TypeError)])
@pytest.mark.parametrize('call', ['fit', 'evaluate', 'predict'])
def test_bad_batch_size(m, call, batch_size, exc):
    run = {'fit': lambda: m.fit(X, Y, batch_size=batch_size, nb_epoch=1, verbose=0),
           'evaluate': lambda: m.evaluate(X, Y, batch_size=batch_size, verbose=0),
           'predict': lambda: m.predict(X, batch_size=batch_size)}[call]
    _raises_untrained(m, exc, r'%s\(\): `batch_size` should be a positive integer, got %r'
                      % (call, batch_size), run)


def test_numpy_integer_batch_size_is_accepted(m):
    assert m.predict(X, batch_size=np.int64(3)).shape == (8, 3)
    assert np.isfinite(m.evaluate(X, Y, batch_size=np.int32(3), verbose=0))


@pytest.mark.parametrize('nb_epoch, exc', [(-1, ValueError), (1.5, TypeError)])
def test_bad_nb_epoch(m, nb_epoch, exc):
    _raises_untrained(m, exc, '`nb_epoch` should be a non-negative integer, got %r' % nb_epoch,
                      lambda: m.fit(X, Y, nb_epoch=nb_epoch, verbose=0))


def test_nb_epoch_zero_trains_nothing(m):
    before = m.get_weights()
    assert m.fit(X, Y, nb_epoch=0, verbose=0).history == {}
    for old, new in zip(before, m.get_weights()):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize('nb_epoch', [2, 1, 10])
def test_epochs_and_nb_epoch_together(m, two_inputs, nb_epoch):
    _raises_untrained(m, TypeError, 'both `nb_epoch`.*and `epochs`',
                      lambda: m.fit(X, Y, epochs=1, nb_epoch=nb_epoch, verbose=0))
    _raises_untrained(two_inputs, TypeError, 'both `nb_epoch`.*and `epochs`',
                      lambda: two_inputs.fit([X, X], Y, epochs=1, nb_epoch=nb_epoch, verbose=0))


def test_epochs_alone_still_work(m):
    assert m.fit(X, Y, epochs=2, verbose=0).epoch == [0, 1]


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize('split, exc, match', [
    (1.0, ValueError, 'should be a float in'), (1.5, ValueError, 'should be a float in'),
    (-0.1, ValueError, 'should be a float in'), ('0.2', TypeError, 'should be a float in'),
    (0.99, ValueError, 'leaves 0 training'),   # int(8 * 0.01) == 0 training samples
    (1e-17, ValueError, 'and 0 validation'),   # 1 - 1e-17 == 1.0: no validation sample
])
def test_bad_validation_split(m, split, exc, match):
    _raises_untrained(m, exc, '`validation_split.*' + match,
                      lambda: m.fit(X, Y, validation_split=split, nb_epoch=1, verbose=0))


@pytest.mark.parametrize('data, exc, match', [
    ((), ValueError, 'tuple of 0 elements'), ([], ValueError, 'tuple of 0 elements'),
    ((X,), ValueError, 'tuple of 1 elements'), ((X, Y, None, None), ValueError, '4 elements'),
    ((X[:0], Y[:0]), ValueError, 'model input: "dense_input_\\d+" got 0 samples'),
    (X, TypeError, 'should be a tuple'),
])
def test_bad_validation_data(m, data, exc, match):
    _raises_untrained(m, exc, 'validation_data.*' + match,
                      lambda: m.fit(X, Y, validation_data=data, nb_epoch=1, verbose=0))


# ---------------------------------------------------------------- weights
@pytest.mark.parametrize('class_weight, exc, match', [
    ({5: 1.0}, ValueError, 'has the key 5, which is not a class'),
    ({0: 1.0, 'cat': 2.0}, ValueError, "has the key 'cat'"),
    ({0: -1.0}, ValueError, r'\[0\]` should be a finite number >= 0'),
    ([1.0, 2.0, 3.0], TypeError, 'should be a dict'),
])
def test_bad_class_weight(m, class_weight, exc, match):
    _raises_untrained(m, exc, '`class_weight.*' + match,
                      lambda: m.fit(X, Y, class_weight=class_weight, nb_epoch=1, verbose=0))


def test_valid_class_weight_still_trains(m):
    history = m.fit(X, Y, class_weight={0: 1.0, 2: 3.0}, nb_epoch=1, verbose=0)
    assert np.isfinite(history.history['loss'][0])


def test_class_weight_keys_follow_the_output_units_with_sparse_labels(sparse_model):
    # the classes are the output's 3 units, not the labels one batch happens to hold
    labels = np.zeros((8, 1))
    assert np.isfinite(sparse_model.train_on_batch(X, labels, class_weight={2: 5.0}))
    with pytest.raises(ValueError, match=r'key 3, which is not a class.*range\(3\)'):
        sparse_model.train_on_batch(X, labels, class_weight={3: 5.0})


def test_all_zero_sample_weights_in_a_batch_give_loss_zero_not_nan():
    model = _compiled()
    before = model.get_weights()
    history = model.fit(X, Y, sample_weight=np.zeros(8), batch_size=8, nb_epoch=1,
                        shuffle=False, verbose=0)
    assert history.history['loss'] == [0.0]  # Keras 1: 0 / mean(weights != 0) = NaN
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)  # that batch changes nothing
    # a zero batch next to a weighted one: finite loss, finite weights
    weights = np.array([0, 0, 0, 0, 1, 2, 1, 1], dtype='float32')
    history = model.fit(X, Y, sample_weight=weights, batch_size=4, nb_epoch=1, shuffle=False,
                        verbose=0)
    assert np.isfinite(history.history['loss'][0]) and history.history['loss'][0] > 0
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert model.evaluate(X, Y, sample_weight=np.zeros(8), verbose=0) == 0.0


@pytest.mark.parametrize('value', [-1.0, np.nan, np.inf])
def test_bad_sample_weight_values(m, value):
    weights = np.ones(8)
    weights[5] = value
    _raises_untrained(m, ValueError, r'`sample_weight` should hold finite numbers >= 0, got '
                      r'%s at index \(5,\)' % value,
                      lambda: m.fit(X, Y, sample_weight=weights, nb_epoch=1, verbose=0))


# ---------------------------------------------------------------- compile
@pytest.mark.parametrize('loss, exc, match', [
    (None, TypeError, 'should be a loss name.*got None'),
    (42, TypeError, 'should be a loss name.*got 42'),
    ('no_such_loss', ValueError, "unknown `loss` 'no_such_loss'"),
])
def test_bad_loss(loss, exc, match):
    model = Sequential([Dense(3, input_dim=4)])
    with pytest.raises(exc, match=r'compile\(\).*' + match):
        model.compile('sgd', loss)
    with pytest.raises(RuntimeError, match='compiled'):  # the failed compile left no half model
        model.fit(X, Y, verbose=0)


@pytest.mark.parametrize('optimizer', [None, 42])
def test_bad_optimizer(optimizer):
    model = Sequential([Dense(3, input_dim=4)])
    with pytest.raises(TypeError, match=r'compile\(\): `optimizer` should be'):
        model.compile(optimizer, 'mse')
    with pytest.raises(RuntimeError, match='compiled'):
        model.fit(X, Y, verbose=0)


# ---------------------------------------------------------------- several inputs
@pytest.mark.parametrize('call', [
    lambda m: m.predict([X, X[:5]]),
    lambda m: m.predict_on_batch([X, X[:5]]),
    lambda m: m.fit([X, X[:5]], Y, nb_epoch=1, verbose=0),
    lambda m: m.evaluate([X, X[:5]], Y, verbose=0),
])
def test_inputs_with_different_sample_counts(two_inputs, call):
    _raises_untrained(two_inputs, ValueError, 'same number of samples; got 8 for "input_a", 5 '
                      'for "input_b"', lambda: call(two_inputs))


# ---------------------------------------------------------------- ModelCheckpoint
def test_checkpoint_key_missing_fails_before_training(m, tmp_path):
    path = str(tmp_path / 'w.{epoch:02d}-{val_loss:.2f}.h5')
    _raises_untrained(m, ValueError, r'uses the key "val_loss", which the training will not '
                      r"log. Available keys: \['epoch', 'loss'\]",
                      lambda: m.fit(X, Y, nb_epoch=1, verbose=0,
                                    callbacks=[ModelCheckpoint(path)]))
    assert not list(tmp_path.iterdir())


def test_checkpoint_keys_available(m, tmp_path):
    # nb_epoch=0: only the check runs; epoch, loss and val_loss are all logged
    m.fit(X, Y, nb_epoch=0, verbose=0, validation_split=0.25,
          callbacks=[ModelCheckpoint(str(tmp_path / '{epoch:02d}-{loss:.2f}-{val_loss:.2f}'))])
    with pytest.raises(ValueError, match='positional field'):
        m.fit(X, Y, nb_epoch=0, verbose=0, callbacks=[ModelCheckpoint(str(tmp_path / '{}'))])


def test_checkpoint_key_after_a_custom_callback_only_warns(m, tmp_path):
    class AddsKey(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs['custom'] = 1.0

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        m.fit(X, Y, nb_epoch=0, verbose=0,
              callbacks=[AddsKey(), ModelCheckpoint(str(tmp_path / '{custom}'))])
    assert any('"custom"' in str(w.message) for w in caught)


# ---------------------------------------------------------------- values the graph misreads
@pytest.mark.parametrize('bad', [np.nan, np.inf])
def test_non_finite_training_data_is_refused(m, bad):
    x, y = X.copy(), Y.copy()
    x[3, 2] = bad
    _raises_untrained(m, ValueError, r'fit\(\) model input: "dense_input_\d+" holds %s at '
                      r'index \(3, 2\)' % bad, lambda: m.fit(x, Y, nb_epoch=1, verbose=0))
    y[1, 0] = bad
    _raises_untrained(m, ValueError, r'train_on_batch\(\) model target: .* index \(1, 0\)',
                      lambda: m.train_on_batch(X, y))
    # prediction on such data is the caller's business: NaN in, NaN out, no error
    assert not np.isfinite(m.predict(x)[3]).any() and np.isfinite(m.predict(x)[:3]).all()


def test_embedding_indices_outside_its_vocabulary_are_refused():
    from keraslike.layers import Embedding, Flatten
    model = Sequential([Embedding(10, 2, input_length=3), Flatten(), Dense(3, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    ok = np.array([[0, 9, 4], [1, 2, 3]])
    assert model.predict(ok).shape == (2, 3)
    for bad, shown in ((10, 10), (-1, -1)):
        idx = ok.copy()
        idx[1, 2] = bad
        with pytest.raises(ValueError, match=r'Embedding with input_dim=10\) takes indices in '
                                             r'\[0, 10\); predict\(\).* the index %d' % shown):
            model.predict(idx)
        _raises_untrained(model, ValueError, r'input_dim=10', lambda: model.fit(
            idx, Y[:2], nb_epoch=1, verbose=0))


# ---------------------------------------------------------------- generators and Sequential.add
def _batches():
    while True:
        yield X[:4], Y[:4]


@pytest.mark.parametrize('samples', [0, -5, None, 'all', float('nan')])
def test_generator_budgets_must_be_positive(m, samples):
    match = r'should be a positive number, got' if samples is not None else 'Specify'
    _raises_untrained(m, ValueError, match,
                      lambda: m.fit_generator(_batches(), samples, 1, verbose=0))
    with pytest.raises(ValueError, match=match):
        m.evaluate_generator(_batches(), samples)
    with pytest.raises(ValueError, match=match):
        m.predict_generator(_batches(), samples)


def test_generator_float_budget_and_negative_epochs(m):
    # Python 3 turns Keras 1's samples_per_epoch=16/2 into 8.0: it still counts samples
    history = m.fit_generator(_batches(), 16 / 2, 1, verbose=0)
    assert history.epoch == [0]
    assert np.asarray(m.predict_generator(_batches(), 6.0)).shape[0] == 6   # as Keras 1: cut
    _raises_untrained(m, ValueError, r'fit_generator\(\): `nb_epoch` should be a non-negative',
                      lambda: m.fit_generator(_batches(), 8, -1, verbose=0))


@pytest.mark.parametrize('thing', [Dense, 5, 'dense'])
def test_sequential_add_takes_layer_instances(thing):
    with pytest.raises(TypeError, match='The added layer must be an instance of class Layer'):
        Sequential().add(thing)
