"""Callbacks driven directly (no engine): fake model with stop_training,
save_weights, save and optimizer.lr (a backend variable)."""
import csv
import math
import os
import types
import warnings

import numpy as np
import pytest

from keraslike import backend as K
from keraslike import callbacks
from keraslike.callbacks import core as callbacks_core
from keraslike.callbacks import (BaseLogger, Callback, CallbackList, CSVLogger, EarlyStopping,
                                 History, LambdaCallback, LearningRateScheduler,
                                 ModelCheckpoint, ProgbarLogger, ReduceLROnPlateau,
                                 TensorBoard, TerminateOnNaN)
from keraslike.utils import progbar as progbar_mod


class FakeModel(object):
    def __init__(self, lr=0.1):
        self.stop_training = False
        self.optimizer = types.SimpleNamespace(lr=K.variable(lr))
        self.calls = []

    def save_weights(self, filepath, overwrite=True):
        self.calls.append(('save_weights', filepath, overwrite))
        with open(filepath, 'w') as f:
            f.write('weights')

    def save(self, filepath, overwrite=True):
        self.calls.append(('save', filepath, overwrite))
        with open(filepath, 'w') as f:
            f.write('model')


def lr_of(model):
    return float(K.get_value(model.optimizer.lr))


def run_epochs(cb, model, epoch_logs, params=None):
    """Drive one callback through epochs; return epochs actually run."""
    cb.set_model(model)
    cb.set_params(params or {})
    cb.on_train_begin({})
    ran = []
    for epoch, logs in enumerate(epoch_logs):
        cb.on_epoch_begin(epoch, {})
        cb.on_epoch_end(epoch, dict(logs))
        ran.append(epoch)
        if model.stop_training:
            break
    cb.on_train_end({})
    return ran


class Clock(object):
    def __init__(self, t=1000.0):
        self.t = t

    def time(self):
        return self.t


# ---------------------------------------------------------------- core

class Recorder(Callback):
    def __init__(self, name, log):
        super(Recorder, self).__init__()
        self.name = name
        self.log = log

    def on_train_begin(self, logs=None):
        self.log.append((self.name, 'train_begin'))

    def on_epoch_begin(self, epoch, logs=None):
        self.log.append((self.name, 'epoch_begin', epoch))

    def on_batch_begin(self, batch, logs=None):
        self.log.append((self.name, 'batch_begin', batch))

    def on_batch_end(self, batch, logs=None):
        self.log.append((self.name, 'batch_end', batch, dict(logs)))

    def on_epoch_end(self, epoch, logs=None):
        logs['seen_by_' + self.name] = True   # later callbacks see earlier writes
        self.log.append((self.name, 'epoch_end', epoch, sorted(logs)))

    def on_train_end(self, logs=None):
        self.log.append((self.name, 'train_end'))


def test_public_names():
    for name in ['Callback', 'CallbackList', 'BaseLogger', 'ProgbarLogger', 'History',
                 'ModelCheckpoint', 'EarlyStopping', 'LearningRateScheduler',
                 'ReduceLROnPlateau', 'CSVLogger', 'LambdaCallback', 'TerminateOnNaN',
                 'RemoteMonitor', 'TensorBoard']:
        assert hasattr(callbacks, name)
    assert callbacks.History is callbacks_core.History


def test_callback_defaults():
    cb = Callback()
    cb.set_params({'a': 1})
    cb.set_model('m')
    assert cb.params == {'a': 1} and cb.model == 'm'
    for hook in ('on_epoch_begin', 'on_epoch_end', 'on_batch_begin', 'on_batch_end'):
        assert getattr(cb, hook)(0, {}) is None
    assert cb.on_train_begin() is None and cb.on_train_end() is None


def test_callback_list_fan_out_order():
    log = []
    a, b = Recorder('a', log), Recorder('b', log)
    cbks = CallbackList([a])
    cbks.append(b)
    assert list(cbks) == [a, b]
    cbks.set_params({'p': 1})
    cbks.set_model('model')
    assert a.params == b.params == {'p': 1} and a.model == b.model == 'model'
    cbks.on_train_begin()
    cbks.on_epoch_begin(0)
    cbks.on_batch_begin(0, {'batch': 0, 'size': 2})
    cbks.on_batch_end(0, {'batch': 0, 'size': 2, 'loss': 1.0})
    epoch_logs = {'loss': 1.0}
    cbks.on_epoch_end(0, epoch_logs)
    cbks.on_train_end()
    assert log == [
        ('a', 'train_begin'), ('b', 'train_begin'),
        ('a', 'epoch_begin', 0), ('b', 'epoch_begin', 0),
        ('a', 'batch_begin', 0), ('b', 'batch_begin', 0),
        ('a', 'batch_end', 0, {'batch': 0, 'size': 2, 'loss': 1.0}),
        ('b', 'batch_end', 0, {'batch': 0, 'size': 2, 'loss': 1.0}),
        ('a', 'epoch_end', 0, ['loss', 'seen_by_a']),
        ('b', 'epoch_end', 0, ['loss', 'seen_by_a', 'seen_by_b']),
        ('a', 'train_end'), ('b', 'train_end'),
    ]
    assert epoch_logs == {'loss': 1.0, 'seen_by_a': True, 'seen_by_b': True}
    assert CallbackList().callbacks == []


def test_callback_list_warns_on_slow_batch_hook(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(callbacks_core, 'time', types.SimpleNamespace(time=clock.time))

    class Slow(Callback):
        def on_batch_end(self, batch, logs=None):
            clock.t += 1.0          # hook "takes" 1 s

    cbks = CallbackList([Slow()])
    cbks.on_epoch_begin(0)
    cbks.on_batch_begin(0)
    clock.t += 0.5                  # the batch itself "takes" 0.5 s
    with pytest.warns(UserWarning, match=r'on_batch_end\(\) is slow'):
        cbks.on_batch_end(0)

    fast = CallbackList([Callback()])
    fast.on_epoch_begin(0)
    fast.on_batch_begin(0)
    clock.t += 0.5
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        fast.on_batch_end(0)


def test_base_logger_sample_weighted_means():
    bl = BaseLogger()
    bl.set_params({'metrics': ['loss', 'acc', 'val_loss']})
    for epoch, batches in enumerate([[(32, 0.5, 0.5), (32, 1.0, 0.75), (16, 2.0, 0.5)],
                                     [(10, 3.0, 1.0)]]):
        bl.on_epoch_begin(epoch)
        for i, (size, loss, acc) in enumerate(batches):
            bl.on_batch_end(i, {'batch': i, 'size': size, 'loss': loss, 'acc': acc,
                                'other': 7.0})
        logs = {'val_loss': 9.0}
        bl.on_epoch_end(epoch, logs)
        if epoch == 0:
            assert logs['loss'] == pytest.approx((16 + 32 + 32) / 80.)
            assert logs['acc'] == pytest.approx((16 + 24 + 8) / 80.)
        else:   # totals reset each epoch
            assert logs['loss'] == pytest.approx(3.0) and logs['acc'] == pytest.approx(1.0)
        assert logs['val_loss'] == 9.0          # not a batch value: untouched
        assert 'other' not in logs and 'size' not in logs and 'batch' not in logs


def test_history_records_epoch_logs():
    h = History()
    h.on_train_begin()
    h.on_epoch_end(0, {'loss': 1.0, 'val_loss': 2.0})
    h.on_epoch_end(1, {'loss': 0.5, 'val_loss': 1.5})
    assert h.epoch == [0, 1]
    assert h.history == {'loss': [1.0, 0.5], 'val_loss': [2.0, 1.5]}
    h.on_train_begin()
    assert h.epoch == [] and h.history == {}


def simulate_fit(cbks, model, nb_epoch, batches, val_logs):
    """A tiny stand-in for the training loop (Keras 1 callback protocol)."""
    cbks.set_model(model)
    cbks.on_train_begin()
    for epoch in range(nb_epoch):
        cbks.on_epoch_begin(epoch)
        for i, (size, loss, acc) in enumerate(batches):
            cbks.on_batch_begin(i, {'batch': i, 'size': size})
            yield 'batch', epoch, i
            cbks.on_batch_end(i, {'batch': i, 'size': size, 'loss': loss, 'acc': acc})
        epoch_logs = dict(val_logs)
        cbks.on_epoch_end(epoch, epoch_logs)
    cbks.on_train_end()


def test_progbar_logger_and_history_in_fit_order(monkeypatch, capsys):
    clock = Clock()
    monkeypatch.setattr(progbar_mod, 'time', types.SimpleNamespace(time=clock.time))
    history = History()
    cbks = CallbackList([BaseLogger(), history, ProgbarLogger()])
    cbks.set_params({'batch_size': 32, 'nb_epoch': 2, 'nb_sample': 80, 'verbose': 1,
                     'do_validation': True,
                     'metrics': ['loss', 'acc', 'val_loss', 'val_acc']})
    batches = [(32, 0.5, 0.5), (32, 1.0, 0.75), (16, 2.0, 0.5)]
    for _ in simulate_fit(cbks, FakeModel(), 2, batches, {'val_loss': 1.172, 'val_acc': 0.4}):
        clock.t += 0.1
    out = capsys.readouterr().out
    epochs = out.split('Epoch ')
    assert epochs[0] == ''
    assert epochs[1].startswith('1/2\n') and epochs[2].startswith('2/2\n')
    for text in epochs[1:]:
        frames = text.split('\r')
        # updates after batches 1 and 2, not after the last one, then a forced final one
        assert len(frames) == 4
        assert frames[1].startswith('32/80 [===========>..................] - ETA: 0s'
                                    ' - loss: 0.5000 - acc: 0.5000')
        assert frames[2].startswith('64/80 [=======================>......] - ETA: 0s'
                                    ' - loss: 0.7500 - acc: 0.6250')
        assert frames[3] == ('80/80 [==============================] - 0s - loss: 1.0000'
                             ' - acc: 0.6000 - val_loss: 1.1720 - val_acc: 0.4000\n')
    assert history.epoch == [0, 1]
    assert history.history['loss'] == [pytest.approx(1.0)] * 2
    assert history.history['acc'] == [pytest.approx(0.6)] * 2
    assert history.history['val_loss'] == [1.172, 1.172]
    assert sorted(history.history) == ['acc', 'loss', 'val_acc', 'val_loss']


def test_progbar_logger_verbose_2(monkeypatch, capsys):
    clock = Clock()
    monkeypatch.setattr(progbar_mod, 'time', types.SimpleNamespace(time=clock.time))
    cbks = CallbackList([BaseLogger(), History(), ProgbarLogger()])
    cbks.set_params({'batch_size': 10, 'nb_epoch': 1, 'nb_sample': 20, 'verbose': 2,
                     'do_validation': False, 'metrics': ['loss', 'acc']})
    for _ in simulate_fit(cbks, FakeModel(), 1, [(10, 0.9082, 0.5), (10, 0.9082, 0.6)], {}):
        clock.t += 0.1
    assert capsys.readouterr().out == 'Epoch 1/1\n0s - loss: 0.9082 - acc: 0.5500\n'


# ---------------------------------------------------------------- EarlyStopping

def test_early_stopping_patience():
    losses = [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.4]
    model = FakeModel()
    es = EarlyStopping(monitor='val_loss', patience=2)
    ran = run_epochs(es, model, [{'val_loss': v} for v in losses])
    # Keras 1.2.2 counting: stops on the third non-improving epoch in a row
    assert ran == [0, 1, 2, 3, 4]
    assert es.stopped_epoch == 4 and model.stop_training


def test_early_stopping_patience_zero_and_reuse():
    model = FakeModel()
    es = EarlyStopping(patience=0)
    assert run_epochs(es, model, [{'val_loss': v} for v in [3., 2., 2.5, 1.]]) == [0, 1, 2]
    model.stop_training = False
    # on_train_begin resets best and wait: first epoch always improves
    assert run_epochs(es, model, [{'val_loss': v} for v in [5., 4., 4.]]) == [0, 1, 2]


def test_early_stopping_min_delta_and_modes(capsys):
    model = FakeModel()
    es = EarlyStopping(monitor='val_loss', min_delta=0.1, patience=0, verbose=1)
    # 0.95 is better than 1.0 but not by more than min_delta
    assert run_epochs(es, model, [{'val_loss': 1.0}, {'val_loss': 0.95}]) == [0, 1]
    assert capsys.readouterr().out == 'Epoch 00001: early stopping\n'

    model = FakeModel()
    es = EarlyStopping(monitor='val_acc', patience=1)          # auto -> max
    assert es.monitor_op is np.greater
    accs = [0.5, 0.6, 0.55, 0.7, 0.65, 0.6]
    assert run_epochs(es, model, [{'val_acc': v} for v in accs]) == [0, 1, 2, 3, 4, 5]
    assert es.stopped_epoch == 5

    model = FakeModel()
    es = EarlyStopping(monitor='score', patience=0, mode='max')
    assert run_epochs(es, model, [{'score': 1.0}, {'score': 0.5}]) == [0, 1]
    assert EarlyStopping(monitor='fmeasure_x').monitor_op is np.greater
    with pytest.warns(RuntimeWarning):
        assert EarlyStopping(mode='bogus').monitor_op is np.less


def test_early_stopping_missing_monitor_warns():
    model = FakeModel()
    es = EarlyStopping(monitor='val_loss')
    with pytest.warns(RuntimeWarning, match='val_loss'):
        run_epochs(es, model, [{'loss': 1.0}])
    assert not model.stop_training


# ---------------------------------------------------------------- ModelCheckpoint

def test_model_checkpoint_save_best_only(tmp_path, capsys):
    model = FakeModel()
    path = str(tmp_path / 'w.{epoch:02d}-{val_loss:.2f}.h5')
    ckpt = ModelCheckpoint(path, monitor='val_loss', verbose=1, save_best_only=True)
    run_epochs(ckpt, model, [{'val_loss': v} for v in [0.5, 0.6, 0.4, 0.4]])
    saved = [os.path.basename(c[1]) for c in model.calls]
    assert saved == ['w.00-0.50.h5', 'w.02-0.40.h5']
    assert [c[0] for c in model.calls] == ['save', 'save'] and all(c[2] for c in model.calls)
    assert sorted(os.listdir(str(tmp_path))) == ['w.00-0.50.h5', 'w.02-0.40.h5']
    out = capsys.readouterr().out.splitlines()
    assert out == [
        'Epoch 00000: val_loss improved from inf to 0.50000, saving model to %s'
        % str(tmp_path / 'w.00-0.50.h5'),
        'Epoch 00001: val_loss did not improve',
        'Epoch 00002: val_loss improved from 0.50000 to 0.40000, saving model to %s'
        % str(tmp_path / 'w.02-0.40.h5'),
        'Epoch 00003: val_loss did not improve',
    ]


def test_model_checkpoint_weights_only_period_and_max_mode(tmp_path, capsys):
    model = FakeModel()
    path = str(tmp_path / 'ep{epoch}.h5')
    ckpt = ModelCheckpoint(path, save_weights_only=True, period=2, verbose=1)
    run_epochs(ckpt, model, [{'val_loss': 1.0}] * 5)
    assert [(c[0], os.path.basename(c[1])) for c in model.calls] == \
        [('save_weights', 'ep1.h5'), ('save_weights', 'ep3.h5')]
    assert capsys.readouterr().out.splitlines() == [
        'Epoch 00001: saving model to %s' % str(tmp_path / 'ep1.h5'),
        'Epoch 00003: saving model to %s' % str(tmp_path / 'ep3.h5')]

    model = FakeModel()
    ckpt = ModelCheckpoint(str(tmp_path / 'acc{epoch}.h5'), monitor='val_acc',
                           save_best_only=True)           # auto -> max for 'acc'
    run_epochs(ckpt, model, [{'val_acc': v} for v in [0.5, 0.4, 0.7, 0.7]])
    assert [os.path.basename(c[1]) for c in model.calls] == ['acc0.h5', 'acc2.h5']


def test_model_checkpoint_missing_monitor(tmp_path):
    model = FakeModel()
    ckpt = ModelCheckpoint(str(tmp_path / 'x.h5'), monitor='val_loss', save_best_only=True)
    with pytest.warns(RuntimeWarning, match='val_loss'):
        run_epochs(ckpt, model, [{'loss': 1.0}])
    assert model.calls == []


# ---------------------------------------------------------------- learning rate

def test_learning_rate_scheduler_sets_lr():
    model = FakeModel(lr=0.1)
    seen = []
    sched = LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** epoch)
    spy = LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(lr_of(model)))
    cbks = CallbackList([sched, spy])
    cbks.set_model(model)
    for epoch in range(3):
        cbks.on_epoch_begin(epoch)
    assert seen == [pytest.approx(0.1), pytest.approx(0.05), pytest.approx(0.025)]


def test_learning_rate_scheduler_rejects_non_float():
    model = FakeModel()
    sched = LearningRateScheduler(lambda epoch: 1)
    sched.set_model(model)
    with pytest.raises(ValueError):
        sched.on_epoch_begin(0)
    sched = LearningRateScheduler(lambda epoch: 0.5)
    sched.set_model(types.SimpleNamespace(optimizer=object()))
    with pytest.raises(ValueError):
        sched.on_epoch_begin(0)


def test_reduce_lr_on_plateau_after_patience(capsys):
    model = FakeModel(lr=1.0)
    rlr = ReduceLROnPlateau(monitor='val_loss', factor=0.5, patience=2, verbose=1)
    rlr.set_model(model)
    rlr.on_train_begin()
    lrs, logged = [], []
    for epoch in range(8):
        logs = {'val_loss': 1.0}
        rlr.on_epoch_end(epoch, logs)
        logged.append(float(logs['lr']))
        lrs.append(lr_of(model))
    # epoch 0 improves; 1, 2 wait; 3 reduces (wait restarts at 1); 4 waits; 5 reduces ...
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    assert logged == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25]   # lr before the epoch's change
    out = capsys.readouterr().out
    assert '\nEpoch 00003: reducing learning rate to 0.5.\n' in out
    assert '\nEpoch 00005: reducing learning rate to 0.25.\n' in out


def test_reduce_lr_on_plateau_min_lr_cooldown_and_improvement():
    model = FakeModel(lr=0.1)
    rlr = ReduceLROnPlateau(factor=0.1, patience=0, min_lr=0.05, cooldown=1)
    rlr.set_model(model)
    rlr.on_train_begin()
    lrs = []
    for epoch, v in enumerate([1.0, 1.0, 1.0, 1.0]):
        rlr.on_epoch_end(epoch, {'val_loss': v})
        lrs.append(lr_of(model))
    assert lrs == [pytest.approx(0.1), pytest.approx(0.05), pytest.approx(0.05),
                   pytest.approx(0.05)]

    model = FakeModel(lr=1.0)
    rlr = ReduceLROnPlateau(patience=1, epsilon=0.01)
    rlr.set_model(model)
    rlr.on_train_begin()
    for epoch, v in enumerate([1.0, 0.98, 0.96, 0.94]):   # keeps improving by > epsilon
        rlr.on_epoch_end(epoch, {'val_loss': v})
    assert lr_of(model) == 1.0

    acc = ReduceLROnPlateau(monitor='val_acc')
    assert acc.best == -np.inf
    with pytest.raises(ValueError):
        ReduceLROnPlateau(factor=1.0)
    rlr = ReduceLROnPlateau()
    rlr.set_model(FakeModel())
    with pytest.warns(RuntimeWarning):
        rlr.on_epoch_end(0, {'loss': 1.0})


# ---------------------------------------------------------------- CSVLogger

def test_csv_logger_contents_and_flush(tmp_path):
    fname = str(tmp_path / 'log.csv')
    logger = CSVLogger(fname)
    logger.set_model(FakeModel())
    logger.on_train_begin()
    logger.on_epoch_end(0, {'loss': 0.5, 'acc': 0.25})
    with open(fname, newline='') as f:        # flushed after each row
        assert f.read() == 'epoch,acc,loss\r\n0,0.25,0.5\r\n'
    logger.on_epoch_end(1, {'loss': 0.25, 'acc': 0.5, 'val_loss': 9.0})   # new key ignored
    logger.on_train_end()
    with open(fname, newline='') as f:
        assert f.read() == 'epoch,acc,loss\r\n0,0.25,0.5\r\n1,0.5,0.25\r\n'

    # append: no second header
    logger = CSVLogger(fname, append=True)
    logger.on_train_begin()
    logger.on_epoch_end(0, {'loss': 0.125, 'acc': 1.0})
    logger.on_train_end()
    with open(fname, newline='') as f:
        rows = list(csv.reader(f))
    assert rows == [['epoch', 'acc', 'loss'], ['0', '0.25', '0.5'], ['1', '0.5', '0.25'],
                    ['0', '1.0', '0.125']]


def test_csv_logger_separator_and_iterables(tmp_path):
    fname = str(tmp_path / 'log.tsv')
    logger = CSVLogger(fname, separator='\t')
    logger.on_train_begin()
    logger.on_epoch_end(0, {'loss': np.float32(0.5), 'lr': np.array(0.25), 'v': [1, 2],
                            'name': 'ab'})
    logger.on_train_end()
    with open(fname, newline='') as f:
        rows = list(csv.reader(f, delimiter='\t'))
    assert rows[0] == ['epoch', 'loss', 'lr', 'name', 'v']
    assert rows[1] == ['0', '0.5', '0.25', 'ab', '"[1, 2]"']


# ---------------------------------------------------------------- misc

def test_lambda_callback():
    events = []
    cb = LambdaCallback(on_epoch_begin=lambda e, logs: events.append(('eb', e)),
                        on_epoch_end=lambda e, logs: events.append(('ee', e, logs['loss'])),
                        on_batch_begin=lambda b, logs: events.append(('bb', b)),
                        on_batch_end=lambda b, logs: events.append(('be', b)),
                        on_train_begin=lambda logs: events.append('tb'),
                        on_train_end=lambda logs: events.append('te'),
                        extra=42)
    assert cb.extra == 42
    cbks = CallbackList([cb])
    cbks.on_train_begin()
    cbks.on_epoch_begin(0)
    cbks.on_batch_begin(0)
    cbks.on_batch_end(0)
    cbks.on_epoch_end(0, {'loss': 1.5})
    cbks.on_train_end()
    assert events == ['tb', ('eb', 0), ('bb', 0), ('be', 0), ('ee', 0, 1.5), 'te']
    empty = LambdaCallback()                     # all hooks default to no-ops
    assert empty.on_epoch_end(0, {}) is None and empty.on_train_begin({}) is None


def test_terminate_on_nan(capsys):
    model = FakeModel()
    cb = TerminateOnNaN()
    cb.set_model(model)
    cb.on_batch_end(0, {'loss': 1.0})
    cb.on_batch_end(1, {})
    assert not model.stop_training
    cb.on_batch_end(2, {'loss': float('nan')})
    assert model.stop_training
    assert capsys.readouterr().out == 'Batch 2: Invalid loss, terminating training\n'
    model.stop_training = False
    cb.on_batch_end(3, {'loss': np.float32(math.inf)})
    assert model.stop_training


def test_tensorboard_needs_tensorboardx(monkeypatch):
    # Event files are written with tensorboardX (tests/test_callbacks_training.py);
    # without it the callback fails at construction with an install hint.
    import sys
    monkeypatch.setitem(sys.modules, 'tensorboardX', None)
    with pytest.raises(ImportError, match='tensorboardX'):
        TensorBoard()
