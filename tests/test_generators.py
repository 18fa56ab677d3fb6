"""fit_generator / evaluate_generator / predict_generator (threads and processes), the
GeneratorEnqueuer, and training straight from HDF5 (HDF5Matrix). One small compiled
model is shared by the whole module (its weights are reset where results must match)."""
import warnings

import numpy as np
import pytest

from keraslike.callbacks import Callback
from keraslike.engine.generator_queue import GeneratorEnqueuer, GeneratorExhausted
from keraslike.layers import Dense
from keraslike.models import Sequential
from keraslike.optimizers import SGD

RNG = np.random.RandomState(7)
X = RNG.rand(20, 3).astype('float32')
Y = np.eye(2, dtype='float32')[(X.sum(axis=1) > 1.5).astype(int)]


@pytest.fixture(scope='module')
def model():
    np.random.seed(1)
    m = Sequential([Dense(2, input_dim=3, activation='softmax')])
    m.compile(SGD(lr=0.5), 'categorical_crossentropy', metrics=['accuracy'])
    m.initial_weights = m.get_weights()
    return m


@pytest.fixture
def fresh(model):
    model.set_weights(model.initial_weights)
    return model


def batches(x, y, batch_size, with_y=True, loop=True):
    """Cycle through (x, y) in order, batch by batch."""
    while True:
        for i in range(0, len(x), batch_size):
            yield (x[i:i + batch_size], y[i:i + batch_size]) if with_y else x[i:i + batch_size]
        if not loop:
            return


class BatchCounter(Callback):
    """Batch sizes seen in each epoch: {epoch: [size, ...]}."""

    def on_train_begin(self, logs=None):
        self.sizes = {}

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.sizes[epoch] = []

    def on_batch_end(self, batch, logs=None):
        self.sizes[self.epoch].append(logs['size'])


# ------------------------------------------------------------------ fit_generator

def test_fit_generator_matches_fit_on_same_batches(fresh):
    fresh.fit(X, Y, batch_size=5, nb_epoch=2, shuffle=False, verbose=0)
    expected = fresh.get_weights()
    fresh.set_weights(fresh.initial_weights)
    history = fresh.fit_generator(batches(X, Y, 5), samples_per_epoch=20, nb_epoch=2, verbose=0)
    for got, want in zip(fresh.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5)
    assert history.epoch == [0, 1]
    assert sorted(history.history) == ['acc', 'loss']
    assert history.history['loss'][1] < history.history['loss'][0]


def test_samples_per_epoch_counts_samples_and_warns_on_overshoot(fresh):
    counter = BatchCounter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        fresh.fit_generator(batches(X, Y, 4), samples_per_epoch=10, nb_epoch=2, verbose=0,
                            callbacks=[counter])
    assert counter.sizes == {0: [4, 4, 4], 1: [4, 4, 4]}  # 12 >= 10 samples per epoch
    assert any('more than `samples_per_epoch`' in str(w.message) for w in caught)


def test_keras2_steps_epochs_and_generator_validation(fresh):
    counter = BatchCounter()
    history = fresh.fit_generator(batches(X, Y, 4), steps_per_epoch=2, epochs=3, verbose=0,
                                  validation_data=batches(X, Y, 10), validation_steps=2,
                                  callbacks=[counter])
    assert counter.sizes == {0: [4, 4], 1: [4, 4], 2: [4, 4]}
    assert counter.params['steps'] == 2 and counter.params['epochs'] == 3  # Keras 2 params
    assert 'val_loss' in counter.params['metrics']
    assert history.epoch == [0, 1, 2]
    assert sorted(history.history) == ['acc', 'loss', 'val_acc', 'val_loss']
    # the last validation equals evaluating the final model on the same 2 batches
    np.testing.assert_allclose(history.history['val_loss'][-1],
                               fresh.evaluate(X, Y, batch_size=10, verbose=0)[0], rtol=1e-5)


def test_tuple_validation_and_initial_epoch(fresh):
    history = fresh.fit_generator(batches(X, Y, 10), samples_per_epoch=20, nb_epoch=3,
                                  verbose=0, validation_data=(X[:7], Y[:7]), initial_epoch=1)
    assert history.epoch == [1, 2]
    np.testing.assert_allclose(history.history['val_loss'][-1],
                               fresh.evaluate(X[:7], Y[:7], verbose=0)[0], rtol=1e-5)


def test_sample_weights_from_generator(fresh):
    # weights 0 on the first half: the step equals one step on the second half alone
    fresh.train_on_batch(X[5:10], Y[5:10])
    expected = fresh.get_weights()
    fresh.set_weights(fresh.initial_weights)

    def weighted():
        while True:
            yield X[:10], Y[:10], np.array([0.] * 5 + [1.] * 5)
    fresh.fit_generator(weighted(), samples_per_epoch=10, nb_epoch=1, verbose=0)
    for got, want in zip(fresh.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5)


def test_stop_training_ends_after_current_epoch(fresh):
    class Stop(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True
    history = fresh.fit_generator(batches(X, Y, 10), samples_per_epoch=20, nb_epoch=5,
                                  verbose=0, callbacks=[Stop()])
    assert history.epoch == [0, 1]


def test_progress_bar_counts_steps(fresh, capsys):
    fresh.fit_generator(batches(X, Y, 4), steps_per_epoch=3, epochs=1, verbose=2)
    out = capsys.readouterr().out
    assert out.startswith('Epoch 1/1\n')
    assert ' - loss: ' in out and ' - acc: ' in out


def test_processes_and_threads_train_the_same_model(fresh):
    fresh.fit_generator(batches(X, Y, 5), samples_per_epoch=20, nb_epoch=1, verbose=0,
                        pickle_safe=True)
    from_process = fresh.get_weights()
    fresh.set_weights(fresh.initial_weights)
    fresh.fit_generator(batches(X, Y, 5), steps_per_epoch=4, epochs=1, verbose=0, workers=1,
                        use_multiprocessing=False)
    for got, want in zip(fresh.get_weights(), from_process):
        np.testing.assert_allclose(got, want, rtol=1e-5)


def test_several_process_workers(fresh):
    history = fresh.fit_generator(batches(X, Y, 5), samples_per_epoch=20, nb_epoch=2,
                                  verbose=0, nb_worker=2, pickle_safe=True)
    assert len(history.history['loss']) == 2


# ------------------------------------------------------------------ evaluate / predict

def test_evaluate_generator_weights_batches_by_size(model):
    expected = model.evaluate(X, Y, batch_size=20, verbose=0)
    got = model.evaluate_generator(batches(X, Y, 8), val_samples=20)  # batches 8, 8, 4
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    got = model.evaluate_generator(batches(X, Y, 5), steps=4, workers=2)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    got = model.evaluate_generator(batches(X, Y, 5), 20, nb_worker=1, pickle_safe=True)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_predict_generator_x_only_tuples_and_counts(model):
    expected = model.predict(X)
    np.testing.assert_allclose(model.predict_generator(batches(X, Y, 6, with_y=False), 20),
                               expected, rtol=1e-5)
    np.testing.assert_allclose(model.predict_generator(batches(X, Y, 5), steps=2),
                               expected[:10], rtol=1e-5)
    with pytest.warns(UserWarning, match='dropped'):
        out = model.predict_generator(batches(X, Y, 6), val_samples=8)  # 12 seen, 8 kept
    np.testing.assert_allclose(out, expected[:8], rtol=1e-5)
    out = model.predict_generator(batches(X, Y, 4), 20, pickle_safe=True)
    np.testing.assert_allclose(out, expected, rtol=1e-5)


# ------------------------------------------------------------------ errors

def failing(after, exc):
    for i in range(after):
        yield X[:4], Y[:4]
    raise exc


@pytest.mark.parametrize('pickle_safe', [False, True])
def test_generator_error_stops_training_with_that_error(model, pickle_safe):
    with pytest.raises(KeyError, match='broken input pipeline') as info:
        model.fit_generator(failing(2, KeyError('broken input pipeline')),
                            samples_per_epoch=100, nb_epoch=1, verbose=0,
                            pickle_safe=pickle_safe)
    assert 'Raised in the generator' in ''.join(getattr(info.value, '__notes__', []))
    with pytest.raises(ZeroDivisionError):
        model.evaluate_generator(failing(1, ZeroDivisionError('x')), 50,
                                 pickle_safe=pickle_safe)


def test_finite_generator_and_bad_outputs(model):
    with pytest.raises(GeneratorExhausted, match='loop forever'):
        model.predict_generator(batches(X, Y, 10, loop=False), val_samples=30)
    with pytest.raises(ValueError, match='output of generator should be a tuple'):
        model.fit_generator(batches(X, Y, 5, with_y=False), 20, 1, verbose=0)


def test_argument_errors(model):
    with pytest.raises(ValueError, match='samples_per_epoch'):
        model.fit_generator(batches(X, Y, 5), verbose=0)
    with pytest.raises(ValueError, match='not both'):
        model.fit_generator(batches(X, Y, 5), 20, 1, steps_per_epoch=4, verbose=0)
    with pytest.raises(ValueError, match='nb_val_samples'):
        model.fit_generator(batches(X, Y, 5), 20, 1, validation_data=batches(X, Y, 5))
    with pytest.raises(TypeError):
        model.fit_generator(batches(X, Y, 5), 20, 1, not_an_argument=3)
    with pytest.warns(UserWarning, match='nb_val_worker'):
        model.fit_generator(batches(X, Y, 5), 20, 1, verbose=0, nb_val_worker=2)


# ------------------------------------------------------------------ enqueuer

def test_enqueuer_threads_share_one_generator_safely():
    def counting():
        i = 0
        while True:
            yield i
            i += 1
    enqueuer = GeneratorEnqueuer(counting())
    enqueuer.start(nb_worker=4, max_q_size=3)
    got = [enqueuer.get() for _ in range(200)]
    workers = list(enqueuer._workers)
    enqueuer.stop()
    assert len(set(got)) == 200  # no item produced twice, no 'generator already executing'
    assert max(got) < 200 + 3 + 4 + 1  # at most queue + workers items fetched ahead
    assert len(workers) == 4 and not any(w.is_alive() for w in workers)


def test_enqueuer_processes_reseed_numpy():
    def draws():
        while True:
            yield np.random.randint(0, 2 ** 30)
    np.random.seed(3)
    enqueuer = GeneratorEnqueuer(draws(), pickle_safe=True)
    enqueuer.start(nb_worker=2, max_q_size=4)
    got = [enqueuer.get() for _ in range(8)]
    enqueuer.stop()
    assert len(set(got)) == 8  # two forked copies of the generator still differ


# ------------------------------------------------------------------ HDF5Matrix

def test_fit_from_hdf5_with_batch_shuffle(fresh, tmp_path):
    import h5py
    from keraslike.utils.io_utils import HDF5Matrix, load_array, save_array
    path = str(tmp_path / 'data.h5')
    with h5py.File(path, 'w') as f:
        f.create_dataset('x', data=X)
        f.create_dataset('y', data=Y)
    X_h5 = HDF5Matrix(path, 'x', start=0, end=15)
    Y_h5 = HDF5Matrix(path, 'y', start=0, end=15)
    assert len(X_h5) == 15 and X_h5.shape == (15, 3)
    np.testing.assert_array_equal(X_h5[[4, 1, 4]], X[[4, 1, 4]])  # unsorted, repeated
    np.testing.assert_array_equal(X_h5[-1], X[14])
    with pytest.raises(IndexError):
        X_h5[15]
    scaled = HDF5Matrix(path, 'x', start=5, normalizer=lambda a: a * 2)
    np.testing.assert_allclose(scaled[0:3], X[5:8] * 2)

    fresh.fit(X[:15], Y[:15], batch_size=5, nb_epoch=1, shuffle=False, verbose=0)
    expected = fresh.get_weights()
    fresh.set_weights(fresh.initial_weights)
    fresh.fit(X_h5, Y_h5, batch_size=5, nb_epoch=1, shuffle=False, verbose=0)
    for got, want in zip(fresh.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5)
    history = fresh.fit(X_h5, Y_h5, batch_size=4, nb_epoch=2, shuffle='batch', verbose=0)
    assert len(history.history['loss']) == 2
    np.testing.assert_allclose(fresh.predict(X_h5), fresh.predict(X[:15]), rtol=1e-6)

    save_array(X, str(tmp_path / 'arr.h5'))
    np.testing.assert_array_equal(load_array(str(tmp_path / 'arr.h5')), X)
