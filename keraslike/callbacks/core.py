"""Callback base class, CallbackList and the loggers that ``fit`` always uses.

Keras 1.2.2 semantics: epochs are 0-based in hooks; ``fit`` builds
``CallbackList([BaseLogger()] + callbacks + [History()] (+ [ProgbarLogger()]))``.

>>> history = History()
>>> history.on_train_begin()
>>> history.on_epoch_end(0, {'loss': 0.5})
>>> history.history
{'loss': [0.5]}
"""
import time
import warnings
from collections import deque

import numpy as np

from keraslike.utils.progbar import Progbar


class Callback(object):
    """Base class: override any of the ``on_*`` hooks.

    ``params`` (dict) and ``model`` are set by the training loop through
    ``set_params`` / ``set_model``.

    >>> class Printer(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(epoch, logs)
    """

    def __init__(self):
        self.validation_data = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass


class CallbackList(object):
    """Fans every hook out to a list of callbacks, in order.

    Warns when the batch hooks are slow: median hook time over the last
    ``queue_length`` batches > 0.95 x the batch time and > 0.1 s.

    >>> cbks = CallbackList([History()])
    >>> cbks.on_train_begin()
    """

    def __init__(self, callbacks=None, queue_length=10):
        callbacks = callbacks or []
        self.callbacks = [c for c in callbacks]
        self.queue_length = queue_length
        self._reset_batch_timing()

    def _reset_batch_timing(self):
        self._delta_t_batch = 0.
        self._delta_ts_batch_begin = deque([], maxlen=self.queue_length)
        self._delta_ts_batch_end = deque([], maxlen=self.queue_length)

    def __iter__(self):
        return iter(self.callbacks)

    def append(self, callback):
        self.callbacks.append(callback)

    def set_params(self, params):
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        for callback in self.callbacks:
            callback.set_model(model)

    def on_epoch_begin(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)
        self._reset_batch_timing()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def _check_slow(self, hook, deltas):
        delta_t_median = np.median(deltas)
        if (self._delta_t_batch > 0. and delta_t_median > 0.95 * self._delta_t_batch
                and delta_t_median > 0.1):
            warnings.warn('Method %s() is slow compared to the batch update (%f). '
                          'Check your callbacks.' % (hook, delta_t_median))

    def on_batch_begin(self, batch, logs=None):
        logs = logs if logs is not None else {}
        t_before_callbacks = time.time()
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs)
        self._delta_ts_batch_begin.append(time.time() - t_before_callbacks)
        self._check_slow('on_batch_begin', self._delta_ts_batch_begin)
        self._t_enter_batch = time.time()

    def on_batch_end(self, batch, logs=None):
        logs = logs if logs is not None else {}
        if not hasattr(self, '_t_enter_batch'):
            self._t_enter_batch = time.time()
        self._delta_t_batch = time.time() - self._t_enter_batch
        t_before_callbacks = time.time()
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs)
        self._delta_ts_batch_end.append(time.time() - t_before_callbacks)
        self._check_slow('on_batch_end', self._delta_ts_batch_end)

    def on_train_begin(self, logs=None):
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = logs if logs is not None else {}
        for callback in self.callbacks:
            callback.on_train_end(logs)


class BaseLogger(Callback):
    """Accumulates epoch averages of the batch metrics, weighted by batch ``size``.

    At epoch end it writes ``totals / seen`` into ``logs`` for every name in
    ``params['metrics']`` that appeared in the batch logs.

    >>> bl = BaseLogger(); bl.set_params({'metrics': ['loss']})
    >>> bl.on_epoch_begin(0); bl.on_batch_end(0, {'size': 2, 'loss': 1.})
    >>> logs = {}; bl.on_epoch_end(0, logs); logs
    {'loss': 1.0}
    """

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        batch_size = logs.get('size', 0)
        self.seen += batch_size
        for k, v in logs.items():
            if k in self.totals:
                self.totals[k] += v * batch_size
            else:
                self.totals[k] = v * batch_size

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            for k in self.params['metrics']:
                if k in self.totals:
                    # Make value available to next callbacks.
                    logs[k] = self.totals[k] / self.seen


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and drives a :class:`Progbar` over the samples.

    The bar is updated after every batch except the last; the epoch-end
    update is forced and includes the epoch logs (``val_*`` too).

    >>> pl = ProgbarLogger()
    >>> pl.set_params({'verbose': 1, 'nb_epoch': 1, 'nb_sample': 4,
    ...                'metrics': ['loss']})
    """

    def on_train_begin(self, logs=None):
        self.verbose = self.params['verbose']
        self.nb_epoch = self.params['nb_epoch']

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            print('Epoch %d/%d' % (epoch + 1, self.nb_epoch))
            self.progbar = Progbar(target=self.params['nb_sample'],
                                   verbose=self.verbose)
        self.seen = 0
        self.log_values = []

    def on_batch_begin(self, batch, logs=None):
        if self.seen < self.params['nb_sample']:
            self.log_values = []

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.seen += logs.get('size', 0)
        for k in self.params['metrics']:
            if k in logs:
                self.log_values.append((k, logs[k]))
        # Skip progbar update for the last batch; on_epoch_end handles it.
        if self.verbose and self.seen < self.params['nb_sample']:
            self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for k in self.params['metrics']:
            if k in logs:
                self.log_values.append((k, logs[k]))
        if self.verbose:
            self.progbar.update(self.seen, self.log_values, force=True)


class History(Callback):
    """Records epoch logs: ``epoch`` (list of indices) and ``history``
    (dict name -> list of per-epoch values). ``fit`` returns it.

    >>> h = History(); h.on_train_begin(); h.on_epoch_end(0, {'acc': 1.})
    >>> h.epoch
    [0]
    """

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
