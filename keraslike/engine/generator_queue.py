"""Background pre-fetching of a Python generator's batches (Keras 1's ``GeneratorEnqueuer``).

Workers are threads (default) or, with ``pickle_safe=True``, processes forked
from this one (each holds its own copy of the generator, as in Keras 1; a
generator cannot be sent to a fresh process, so only POSIX ``fork`` works, and
Python warns when the parent already runs other threads, e.g. JAX's). They
pull ``next(generator)`` and put the results on a bounded queue; the training
loop takes them with :meth:`GeneratorEnqueuer.get`.

An exception raised inside the generator (including ``StopIteration`` of a
finite generator) is sent through the queue and re-raised by ``get`` in the
caller, with the worker's traceback attached as a note: training stops with
the generator's own error instead of hanging.

>>> def batches():
...     i = 0
...     while True:
...         yield i
...         i += 1
>>> enqueuer = GeneratorEnqueuer(batches())
>>> enqueuer.start(nb_worker=1, max_q_size=4)
>>> [enqueuer.get() for _ in range(3)]
[0, 1, 2]
>>> enqueuer.stop()
"""
import multiprocessing
import pickle
import queue
import threading
import time
import traceback

import numpy as np

_OK, _ERROR = 0, 1


class GeneratorExhausted(RuntimeError):
    """The generator stopped (``StopIteration``) while the loop still expected batches."""


def _portable_error(exc):
    """(exception, traceback text), with the exception replaced by a RuntimeError
    carrying its repr if it cannot cross a process boundary (unpicklable)."""
    text = ''.join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        exc = RuntimeError('%s: %s' % (type(exc).__name__, exc))
    return exc, text


def _worker(generator, lock, out_queue, stop_event, reseed, put_timeout):
    """Loop of one worker: fetch under ``lock``, put with a timeout so that a
    full queue never blocks a stop request."""
    if reseed:
        np.random.seed()  # forked children would otherwise share the parent's RNG state
    while not stop_event.is_set():
        try:
            with lock:
                item = (_OK, next(generator))
        except StopIteration:
            item = (_ERROR, GeneratorExhausted(
                'The generator stopped (StopIteration) before the requested number of '
                'samples or steps was reached; generators must loop forever.'), '')
        except BaseException as e:  # noqa: B902 - every error must reach the consumer
            item = (_ERROR,) + _portable_error(e)
        while not stop_event.is_set():
            try:
                out_queue.put(item, timeout=put_timeout)
                break
            except queue.Full:
                continue
        if item[0] == _ERROR:
            stop_event.set()
            return


class GeneratorEnqueuer(object):
    """Runs ``generator`` in ``nb_worker`` background workers feeding a queue.

    ``pickle_safe=False``: threads sharing the generator (access is serialised
    by a lock, so plain generators are safe with several threads).
    ``pickle_safe=True``: forked processes, each with its own copy of the
    generator (several workers therefore repeat the same data, as in Keras 1)
    and a freshly seeded ``np.random``.

    >>> enqueuer = GeneratorEnqueuer(iter(range(10, 100)), pickle_safe=False)
    >>> enqueuer.start(); enqueuer.get()
    10
    >>> enqueuer.stop()
    """

    def __init__(self, generator, pickle_safe=False):
        self._generator = generator
        self._pickle_safe = pickle_safe
        self._workers = []
        self._stop_event = None
        self.queue = None

    def start(self, nb_worker=1, max_q_size=10, wait_time=0.05):
        """Start ``nb_worker`` workers with a queue of at most ``max_q_size`` items."""
        nb_worker = max(1, int(nb_worker))
        max_q_size = max(1, int(max_q_size))
        self.wait_time = wait_time
        try:
            if self._pickle_safe:
                try:
                    ctx = multiprocessing.get_context('fork')
                except ValueError:
                    raise RuntimeError('pickle_safe=True (use_multiprocessing=True) forks '
                                       'worker processes, which this platform cannot do; '
                                       'use threads (pickle_safe=False).')
                self.queue = ctx.Queue(maxsize=max_q_size)
                self._stop_event = ctx.Event()
                lock = ctx.Lock()
            else:
                ctx = None
                self.queue = queue.Queue(maxsize=max_q_size)
                self._stop_event = threading.Event()
                lock = threading.Lock()
            for _ in range(nb_worker):
                args = (self._generator, lock, self.queue, self._stop_event,
                        self._pickle_safe, wait_time)
                if self._pickle_safe:
                    worker = ctx.Process(target=_worker, args=args, daemon=True)
                else:
                    worker = threading.Thread(target=_worker, args=args, daemon=True)
                self._workers.append(worker)
                worker.start()
        except BaseException:
            self.stop()
            raise

    def is_running(self):
        return self._stop_event is not None and not self._stop_event.is_set()

    def _any_alive(self):
        return any(w.is_alive() for w in self._workers)

    def get(self):
        """The next generator output; re-raises the generator's error if it failed.

        Raises ``RuntimeError`` if every worker died without reporting (e.g. a
        process killed by a signal) rather than waiting forever.
        """
        while True:
            try:
                item = self.queue.get(timeout=self.wait_time)
            except queue.Empty:
                if not self._any_alive():
                    try:  # a last item may have arrived just before the worker ended
                        item = self.queue.get(timeout=self.wait_time)
                    except queue.Empty:
                        raise RuntimeError('The generator workers ended without producing '
                                           'data (a worker process may have been killed).')
                else:
                    continue
            if item[0] == _OK:
                return item[1]
            _, error, text = item
            self.stop()
            if text:
                error.add_note('Raised in the generator (worker traceback):\n' + text)
            raise error

    def stop(self, timeout=None):
        """Stop the workers (threads are joined; processes joined, then terminated)."""
        if self._stop_event is not None:
            self._stop_event.set()
        timeout = 2. if timeout is None else timeout
        deadline = time.time() + timeout
        for worker in self._workers:
            if self._pickle_safe:
                self._drain()
            worker.join(max(0., deadline - time.time()))
            if self._pickle_safe and worker.is_alive():
                worker.terminate()
                worker.join(1.)
        if self._pickle_safe and self.queue is not None:
            self._drain()
            self.queue.close()
            self.queue.join_thread()
        self._workers = []
        self.queue = None

    def _drain(self):
        try:
            while True:
                self.queue.get_nowait()
        except (queue.Empty, OSError, ValueError):
            pass
