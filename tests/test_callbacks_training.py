"""Each training callback's effect in a real ``fit`` (one small compiled model, reset per
test): EarlyStopping, ModelCheckpoint, LearningRateScheduler, ReduceLROnPlateau, CSVLogger,
LambdaCallback, TerminateOnNaN, model.stop_training, RemoteMonitor (against an HTTP server on
127.0.0.1) and TensorBoard (event files read back)."""
import glob
import http.server
import json
import os
import struct
import threading
import urllib.parse

import numpy as np
import pytest

from keraslike import backend as K
from keraslike.callbacks import (Callback, CSVLogger, EarlyStopping, LambdaCallback,
                                 LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau,
                                 RemoteMonitor, TensorBoard, TerminateOnNaN)
from keraslike.layers import Dense
from keraslike.models import Sequential
from keraslike.optimizers import SGD

RNG = np.random.RandomState(3)
X = RNG.rand(16, 3).astype('float32')
Y = np.eye(2, dtype='float32')[(X[:, 0] > 0.5).astype(int)]
LR = 0.2


@pytest.fixture(scope='module')
def model():
    np.random.seed(2)
    m = Sequential([Dense(2, input_dim=3, activation='softmax', name='out')])
    m.compile(SGD(lr=LR), 'categorical_crossentropy', metrics=['accuracy'])
    m.initial_weights = m.get_weights()
    return m


@pytest.fixture
def fresh(model):
    model.set_weights(model.initial_weights)
    K.set_value(model.optimizer.lr, LR)
    for slot in model.optimizer.weights:  # SGD momenta (NaN after the TerminateOnNaN test)
        K.set_value(slot, np.zeros_like(K.get_value(slot)))
    yield model
    K.set_value(model.optimizer.lr, LR)


def fit(model, nb_epoch, callbacks, **kwargs):
    kwargs.setdefault('validation_data', (X, Y))
    return model.fit(X, Y, batch_size=8, nb_epoch=nb_epoch, verbose=0, shuffle=False,
                     callbacks=callbacks, **kwargs)


def test_early_stopping_stops_when_the_monitor_stalls(fresh):
    K.set_value(fresh.optimizer.lr, 0.)  # val_loss never changes
    history = fit(fresh, 10, [EarlyStopping(monitor='val_loss', patience=1)])
    assert history.epoch == [0, 1, 2]  # best at 0, one patient epoch, stop at 2
    K.set_value(fresh.optimizer.lr, LR)  # learning: val_loss keeps improving
    history = fit(fresh, 4, [EarlyStopping(monitor='val_loss', patience=0)])
    assert history.epoch == [0, 1, 2, 3]


def test_model_stop_training_from_a_callback(fresh):
    class StopAt(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True
    assert fit(fresh, 6, [StopAt()]).epoch == [0, 1]


def test_model_checkpoint_saves_best_and_periodic_files(fresh, tmp_path):
    best = str(tmp_path / 'best.h5')
    pattern = str(tmp_path / 'w.{epoch:02d}-{val_loss:.3f}.h5')
    history = fit(fresh, 4, [ModelCheckpoint(best, save_best_only=True, save_weights_only=True),
                             ModelCheckpoint(pattern, save_weights_only=True, period=2)])
    names = sorted(os.path.basename(p) for p in glob.glob(str(tmp_path / 'w.*.h5')))
    val = history.history['val_loss']
    assert names == ['w.01-%.3f.h5' % val[1], 'w.03-%.3f.h5' % val[3]]
    final = fresh.get_weights()
    fresh.set_weights(fresh.initial_weights)
    fresh.load_weights(best)  # val_loss decreases every epoch: the best is the last
    for got, want in zip(fresh.get_weights(), final):
        np.testing.assert_allclose(got, want)


def test_learning_rate_scheduler_sets_lr_each_epoch(fresh):
    seen = []
    record = LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(
        float(K.get_value(fresh.optimizer.lr))))
    fit(fresh, 3, [LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1)), record])
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    fresh.set_weights(fresh.initial_weights)
    fit(fresh, 2, [LearningRateScheduler(lambda epoch: 0.)])
    for got, want in zip(fresh.get_weights(), fresh.initial_weights):
        np.testing.assert_array_equal(got, want)  # lr 0: nothing learned
    with pytest.raises(ValueError, match='float'):
        fit(fresh, 1, [LearningRateScheduler(lambda epoch: 1)])


def test_reduce_lr_on_plateau(fresh):
    class ConstantValLoss(Callback):  # runs before the reducer: an exact plateau
        def on_epoch_end(self, epoch, logs=None):
            logs['val_loss'] = 1.0

    K.set_value(fresh.optimizer.lr, 0.08)
    reducer = ReduceLROnPlateau(monitor='val_loss', factor=0.5, patience=1, cooldown=1,
                                min_lr=0.015)
    history = fit(fresh, 7, [ConstantValLoss(), reducer])
    # 'lr' is logged before any change: best at 0, waits at 1, halves at 2, cooldown at 3,
    # halves at 4, cooldown at 5, and at 6 would halve to 0.01 but stops at min_lr
    lrs = [round(float(v), 6) for v in history.history['lr']]
    assert lrs == [0.08, 0.08, 0.08, 0.04, 0.04, 0.02, 0.02]
    assert round(float(K.get_value(fresh.optimizer.lr)), 6) == 0.015
    with pytest.raises(ValueError):
        ReduceLROnPlateau(factor=1.0)


def test_csv_logger_writes_one_row_per_epoch(fresh, tmp_path):
    path = str(tmp_path / 'log.csv')
    history = fit(fresh, 2, [CSVLogger(path)])
    with open(path) as f:
        rows = [line.rstrip('\r\n').split(',') for line in f]
    assert rows[0] == ['epoch', 'acc', 'loss', 'val_acc', 'val_loss']
    assert [r[0] for r in rows[1:]] == ['0', '1']
    np.testing.assert_allclose(float(rows[2][2]), history.history['loss'][1], rtol=1e-6)
    fit(fresh, 1, [CSVLogger(path, separator=';', append=True)])
    with open(path) as f:
        lines = f.read().splitlines()
    assert len(lines) == 4 and lines[3].startswith('0;')


def test_lambda_callback_hooks(fresh):
    calls = []
    cb = LambdaCallback(on_train_begin=lambda logs: calls.append('train_begin'),
                        on_epoch_begin=lambda e, logs: calls.append(('epoch_begin', e)),
                        on_batch_end=lambda b, logs: calls.append(('batch', b, logs['size'])),
                        on_epoch_end=lambda e, logs: calls.append(('epoch_end', e,
                                                                   'val_loss' in logs)),
                        on_train_end=lambda logs: calls.append('train_end'))
    fit(fresh, 1, [cb])
    assert calls == ['train_begin', ('epoch_begin', 0), ('batch', 0, 8), ('batch', 1, 8),
                     ('epoch_end', 0, True), 'train_end']


def test_terminate_on_nan(fresh, capsys):
    # a diverging step (fit refuses NaN data itself): an infinite learning rate makes the
    # weights non-finite after the first batch, so the second batch's loss is NaN
    K.set_value(fresh.optimizer.lr, np.inf)
    history = fresh.fit(X, Y, batch_size=8, nb_epoch=5, verbose=0, shuffle=False,
                        callbacks=[TerminateOnNaN()])
    assert history.epoch == [0]
    assert 'Batch 1: Invalid loss, terminating training' in capsys.readouterr().out


# ------------------------------------------------------------------ RemoteMonitor

class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length'])).decode()
        self.server.received.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{}')

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = http.server.HTTPServer(('127.0.0.1', 0), _Recorder)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_remote_monitor_posts_epoch_logs(fresh, http_server):
    root = 'http://127.0.0.1:%d' % http_server.server_address[1]
    history = fit(fresh, 2, [RemoteMonitor(root=root)])
    assert len(http_server.received) == 2
    path, headers, body = http_server.received[1]
    assert path == '/publish/epoch/end/'
    assert headers['Content-Type'] == 'application/json'
    sent = json.loads(urllib.parse.parse_qs(body)['data'][0])
    assert sent['epoch'] == 1
    assert sorted(sent) == ['acc', 'epoch', 'loss', 'val_acc', 'val_loss']
    np.testing.assert_allclose(sent['val_loss'], history.history['val_loss'][1], rtol=1e-6)


def test_remote_monitor_warns_when_unreachable(fresh):
    server = http.server.HTTPServer(('127.0.0.1', 0), _Recorder)
    port = server.server_address[1]
    server.server_close()  # nothing listens on this loopback port any more
    with pytest.warns(UserWarning, match='could not reach RemoteMonitor'):
        fit(fresh, 1, [RemoteMonitor(root='http://127.0.0.1:%d' % port, timeout=2)])


# ------------------------------------------------------------------ TensorBoard

def read_events(log_dir):
    """Every Event record of the event files in ``log_dir`` (TFRecord framing, protobufs
    from tensorboardX; the CRCs are checked)."""
    from tensorboardX.crc32c import crc32c
    from tensorboardX.proto import event_pb2

    def masked(data):
        crc = crc32c(data)
        return (((crc >> 15) | (crc << 17)) + 0xa282ead8) & 0xffffffff

    events = []
    for path in sorted(glob.glob(os.path.join(log_dir, 'events.out.tfevents.*'))):
        with open(path, 'rb') as f:
            data = f.read()
        pos = 0
        while pos < len(data):
            header = data[pos:pos + 8]
            (length,) = struct.unpack('<Q', header)
            assert struct.unpack('<I', data[pos + 8:pos + 12])[0] == masked(header)
            payload = data[pos + 12:pos + 12 + length]
            assert struct.unpack('<I', data[pos + 12 + length:pos + 16 + length])[0] == \
                masked(payload)
            events.append(event_pb2.Event.FromString(payload))
            pos += 16 + length
    return events


@pytest.fixture
def board_run(fresh, tmp_path):
    pytest.importorskip('tensorboardX')
    log_dir = str(tmp_path / 'logs')
    history = fit(fresh, 3, [TensorBoard(log_dir=log_dir, histogram_freq=2, write_images=True)])
    return log_dir, history, fresh


def test_tensorboard_scalars_and_histograms(board_run):
    log_dir, history, model = board_run
    scalars, histos, images, texts = {}, {}, set(), set()
    for event in read_events(log_dir):
        for value in event.summary.value:
            if value.HasField('simple_value'):
                scalars.setdefault(value.tag, {})[event.step] = value.simple_value
            elif value.HasField('histo'):
                histos[(value.tag, event.step)] = value.histo
            elif value.HasField('image'):
                images.add((value.tag, event.step))
            elif value.metadata.plugin_data.plugin_name == 'text':
                texts.add(value.tag)
    assert sorted(scalars) == ['acc', 'loss', 'val_acc', 'val_loss']
    for tag, per_step in scalars.items():
        assert sorted(per_step) == [0, 1, 2]
        np.testing.assert_allclose([per_step[s] for s in range(3)], history.history[tag],
                                   rtol=1e-6)
    assert sorted(histos) == [('out_W', 0), ('out_W', 2), ('out_b', 0), ('out_b', 2)]
    W, b = model.get_weights()  # weights after the last epoch = the step-2 histograms
    assert histos[('out_W', 2)].num == W.size
    np.testing.assert_allclose([histos[('out_W', 2)].min, histos[('out_W', 2)].max],
                               [W.min(), W.max()], rtol=1e-6)
    np.testing.assert_allclose(histos[('out_b', 2)].sum, b.sum(), rtol=1e-5, atol=1e-7)
    assert images == {('out_W', 0), ('out_W', 2), ('out_b', 0), ('out_b', 2)}
    assert any(tag.startswith('model_config') for tag in texts)


def test_tensorboard_files_load_in_tensorboard(board_run):
    pytest.importorskip('tensorboard')
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    log_dir, history, _ = board_run
    acc = EventAccumulator(log_dir, size_guidance={'histograms': 0, 'scalars': 0})
    acc.Reload()
    tags = acc.Tags()
    assert set(tags['scalars']) == {'loss', 'acc', 'val_loss', 'val_acc'}
    assert set(tags['histograms']) == {'out_W', 'out_b'}
    np.testing.assert_allclose([e.value for e in acc.Scalars('val_loss')],
                               history.history['val_loss'], rtol=1e-6)
    assert [e.step for e in acc.Histograms('out_W')] == [0, 2]
