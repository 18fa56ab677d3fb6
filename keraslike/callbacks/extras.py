"""Callbacks that report training to the outside: ``RemoteMonitor`` (HTTP) and ``TensorBoard``.

>>> from keraslike.callbacks import RemoteMonitor, TensorBoard
>>> monitor = RemoteMonitor(root='http://localhost:9000')
>>> # board = TensorBoard(log_dir='./logs', histogram_freq=1)   # needs tensorboardX
>>> # model.fit(X, y, callbacks=[monitor, board])
"""
import json
import os
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from .core import Callback


def _plain(value):
    """A JSON-serialisable version of a log value (NumPy scalars/arrays included)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


class RemoteMonitor(Callback):
    """POST the epoch logs to a server at each epoch end.

    As Keras 1 (which used ``requests.post(url, data_dict, headers=...)``), the
    body is form-encoded ``<field>=<json.dumps({'epoch': epoch, **logs})>`` and
    sent with ``headers`` (default ``Accept``/``Content-Type: application/json``).
    Uses the standard library, so ``requests`` is not needed. An unreachable
    server only warns.

    >>> monitor = RemoteMonitor(root='http://127.0.0.1:9000', path='/publish/epoch/end/')
    """

    def __init__(self, root='http://localhost:9000', path='/publish/epoch/end/',
                 field='data', headers=None, timeout=10.):
        super(RemoteMonitor, self).__init__()
        if headers is None:
            headers = {'Accept': 'application/json', 'Content-Type': 'application/json'}
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.timeout = timeout

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        send = {'epoch': epoch}
        for k, v in logs.items():
            send[k] = _plain(v)
        body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode('utf-8')
        request = urllib.request.Request(self.root + self.path, data=body,
                                         headers=dict(self.headers), method='POST')
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn('Warning: could not reach RemoteMonitor root server at '
                          + str(self.root))


def _require_tensorboardx():
    try:
        import tensorboardX
    except ImportError:
        raise ImportError('The TensorBoard callback needs the tensorboardX package: '
                          "`pip install tensorboardX` (or `pip install 'keraslike[tensorboard]'`).")
    return tensorboardX


def _summary_writer(log_dir):
    return _require_tensorboardx().SummaryWriter(logdir=log_dir)


def _weight_image(value):
    """Keras 1's weight picture: squeeze, put the longer axis last, one gray channel (CHW)."""
    img = np.nan_to_num(np.squeeze(np.asarray(value, dtype='float64')), posinf=0., neginf=0.)
    if img.ndim == 0:
        img = img.reshape((1, 1))
    elif img.ndim == 1:
        img = img[None, :]
    elif img.ndim > 2:
        return None  # convolution kernels: Keras 1 cannot show them either
    elif img.shape[0] > img.shape[1]:
        img = img.T
    lo, hi = img.min(), img.max()
    img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
    return img[None, :, :]


class TensorBoard(Callback):
    """Write TensorBoard event files: run ``tensorboard --logdir=<log_dir>`` to see them.

    - every epoch: one scalar per epoch-log value (``loss``, ``acc``,
      ``val_loss``, ``lr``...), tagged with its name, step = epoch;
    - every ``histogram_freq`` epochs (0: never): a histogram of each weight
      of each layer, tagged with the weight's name (``dense_1_W``), and with
      ``write_images`` a grayscale image of each 1-D/2-D weight;
    - ``write_graph``: the model's JSON description as a text summary
      (``model_config``) - there is no TensorFlow graph to draw.

    Needs the ``tensorboardX`` package (``pip install 'keraslike[tensorboard]'``).

    >>> board = TensorBoard(log_dir='./logs', histogram_freq=1, write_images=True)
    """

    def __init__(self, log_dir='./logs', histogram_freq=0, write_graph=True,
                 write_images=False, **kwargs):
        super(TensorBoard, self).__init__()
        for key in kwargs:  # Keras 2 options without an equivalent here
            if key not in ('batch_size', 'write_grads', 'embeddings_freq',
                           'embeddings_layer_names', 'embeddings_metadata'):
                raise TypeError('TensorBoard() got an unexpected keyword argument %r' % key)
        self.log_dir = log_dir
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.writer = None
        _require_tensorboardx()  # fail at construction, not in the middle of fit

    def set_model(self, model):
        super(TensorBoard, self).set_model(model)
        if self.writer is None:
            os.makedirs(self.log_dir, exist_ok=True)
            self.writer = _summary_writer(self.log_dir)
        if self.write_graph:
            self.writer.add_text('model_config', _model_json(model), 0)
            self.writer.flush()

    def _layers(self):
        model = self.model
        layers = getattr(model, 'flattened_layers', None)
        if layers is None:
            layers = getattr(model, 'layers', [])
        return layers

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            for layer in self._layers():
                for weight, value in zip(layer.weights, layer.get_weights()):
                    name = getattr(weight, 'name', None) or layer.name
                    value = np.asarray(value, dtype='float64')
                    finite = value[np.isfinite(value)]
                    if finite.size:  # NaN/inf weights cannot be binned
                        self.writer.add_histogram(name, finite, epoch)
                    if self.write_images:
                        img = _weight_image(value)
                        if img is not None:
                            self.writer.add_image(name, img, epoch, dataformats='CHW')
        for name, value in logs.items():
            if name in ('batch', 'size'):
                continue
            value = _plain(value)
            if isinstance(value, (int, float, bool)):
                self.writer.add_scalar(name, float(value), epoch)
        self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _model_json(model):
    try:
        return model.to_json(indent=2)
    except Exception:  # to_json is optional (another module); fall back to get_config
        try:
            return json.dumps({'class_name': model.__class__.__name__,
                               'config': model.get_config()}, indent=2, default=str)
        except Exception as e:
            return '%s (configuration unavailable: %s)' % (model.__class__.__name__, e)
