"""Background pre-fetching of a Python generator's batches (Keras 1's ``GeneratorEnqueuer``).

Workers are threads (default) or, with ``pickle_safe=True``, processes forked
from this one (each holds its own copy of the generator, as in Keras 1; a
generator cannot be sent to a fresh process, so only POSIX ``fork`` works, and
Python warns when the parent already runs other threads, e.g. JAX's). They
pull ``next(generator)`` and hand the results to the training loop, which
takes them with :meth:`GeneratorEnqueuer.get`; at most ``max_q_size`` wait.

An exception raised inside the generator (including ``StopIteration`` of a
finite generator) is sent to the loop and re-raised by ``get`` in the
caller, with the worker's traceback attached as a note: training stops with
the generator's own error instead of hanging.

Worker processes can also die without a word (killed by a signal, or the
generator calls ``os._exit``). Each one therefore writes to its own pipe, of
which it holds the only write end: its death reads as end-of-file, even in the
middle of a batch, and ``get`` raises a ``RuntimeError`` naming the worker and
its exit code, after stopping the others (they never wait on a lock or a full
pipe without checking for the stop request). Workers die with the parent
(Linux ``PR_SET_PDEATHSIG``, elsewhere a parent-pid check), and ignore Ctrl-C,
which the parent handles by stopping them.

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
import os
import pickle
import queue
import signal
import sys
import threading
import time
import traceback
from multiprocessing import connection as mp_connection

import numpy as np

from .interrupts import check as check_interrupt

_OK, _ERROR = 0, 1
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


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


def _next_item(generator):
    """``(_OK, batch)`` or ``(_ERROR, exception, traceback text)``."""
    try:
        return (_OK, next(generator))
    except StopIteration:
        return (_ERROR, GeneratorExhausted(
            'The generator stopped (StopIteration) before the requested number of '
            'samples or steps was reached; generators must loop forever.'), '')
    except BaseException as e:  # noqa: B902 - every error must reach the consumer
        return (_ERROR,) + _portable_error(e)


def _thread_worker(generator, lock, out_queue, stop_event, put_timeout):
    """Loop of one worker thread: fetch under ``lock``, put with a timeout so that a
    full queue never blocks a stop request."""
    while not stop_event.is_set():
        with lock:
            item = _next_item(generator)
        while not stop_event.is_set():
            try:
                out_queue.put(item, timeout=put_timeout)
                break
            except queue.Full:
                continue
        if item[0] == _ERROR:
            stop_event.set()
            return


def _die_with_parent(parent_pid):
    """Have the kernel SIGKILL this worker when its parent dies, however it dies
    (Linux); elsewhere the waits in :func:`_process_worker` check the parent pid."""
    if sys.platform.startswith('linux'):
        try:
            import ctypes
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def _send_all(outbox, conn):
    """The worker's sender thread: the generator runs on while a batch is being sent
    (as with Keras 1's queue), up to ``max_q_size`` batches ahead."""
    try:
        while True:
            data = outbox.get()
            if data is None:
                return
            conn.send_bytes(data)
    except OSError:  # the parent closed its end (stop) or died
        pass


def _process_worker(generator, lock, conn, inherited, slots, stop_event, parent_pid,
                    wait_time):
    """Loop of one worker process: its own copy of ``generator``, its own pipe ``conn``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops the workers
    _die_with_parent(parent_pid)
    for reader in inherited:  # the parent's read ends: a closed one must mean "stop"
        reader.close()
    np.random.seed()  # forked children would otherwise share the parent's RNG state
    outbox = queue.Queue()
    sender = threading.Thread(target=_send_all, args=(outbox, conn), daemon=True)
    sender.start()

    def acquire(semaphore):  # never block for good: a dead worker may hold the lock
        while not semaphore.acquire(timeout=wait_time):
            if stop_event.is_set() or os.getppid() != parent_pid or not sender.is_alive():
                return False
        return True

    try:
        # slots: a free place among the max_q_size batches waiting for the loop
        while not stop_event.is_set() and acquire(slots) and acquire(lock):
            try:
                item = _next_item(generator)
            finally:
                lock.release()
            try:  # pickled here, so that an unpicklable batch is reported, not dropped
                data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as e:
                item = (_ERROR,) + _portable_error(TypeError(
                    'The generator output cannot be pickled, which pickle_safe=True '
                    '(use_multiprocessing=True) needs to send it from the worker '
                    'process: %s: %s' % (type(e).__name__, e)))
                data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
            outbox.put(data)
            if item[0] == _ERROR:
                break
    finally:
        outbox.put(None)
        sender.join()  # an error must arrive whole; a pipe closed by the parent ends it
        conn.close()


def _describe_exit(exitcode):
    if exitcode is None:
        return 'closed its pipe but is still running'
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = 'signal %d' % -exitcode
        return 'was killed by %s (exit code %d)' % (name, exitcode)
    return ('exited with exit code %d without reporting an error (e.g. os._exit() in the '
            'generator, or a crash in native code)' % exitcode)


class GeneratorEnqueuer(object):
    """Runs ``generator`` in ``nb_worker`` background workers feeding the loop.

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
        self.queue = None      # threads: the queue they fill
        self._readers = []     # processes: the read end of each worker's pipe
        self._slots = None     # processes: free places among the max_q_size waiting
        self._next_reader = 0  # processes: read the workers in turn

    def start(self, nb_worker=1, max_q_size=10, wait_time=0.05):
        """Start ``nb_worker`` workers; at most ``max_q_size`` batches wait to be taken."""
        nb_worker = max(1, int(nb_worker))
        max_q_size = max(1, int(max_q_size))
        self.wait_time = wait_time
        try:
            if self._pickle_safe:
                self._start_processes(nb_worker, max_q_size, wait_time)
            else:
                self.queue = queue.Queue(maxsize=max_q_size)
                self._stop_event = threading.Event()
                lock = threading.Lock()
                for _ in range(nb_worker):
                    worker = threading.Thread(
                        target=_thread_worker, daemon=True,
                        args=(self._generator, lock, self.queue, self._stop_event, wait_time))
                    self._workers.append(worker)
                    worker.start()
        except BaseException:
            self.stop()
            raise

    def _start_processes(self, nb_worker, max_q_size, wait_time):
        try:
            ctx = multiprocessing.get_context('fork')
        except ValueError:
            raise RuntimeError('pickle_safe=True (use_multiprocessing=True) forks '
                               'worker processes, which this platform cannot do; '
                               'use threads (pickle_safe=False).')
        self._stop_event = ctx.Event()
        self._slots = ctx.Semaphore(max_q_size)
        lock = ctx.Lock()  # as in Keras 1: forked copies may share open files
        for i in range(nb_worker):
            reader, writer = ctx.Pipe(duplex=False)
            self._readers.append(reader)
            worker = ctx.Process(
                target=_process_worker, daemon=True, name='generator worker %d' % (i + 1),
                args=(self._generator, lock, writer, list(self._readers), self._slots,
                      self._stop_event, os.getpid(), wait_time))
            self._workers.append(worker)
            worker.start()
            writer.close()  # the worker now holds the only write end

    def is_running(self):
        return self._stop_event is not None and not self._stop_event.is_set()

    def _any_alive(self):
        return any(w.is_alive() for w in self._workers)

    def get(self):
        """The next generator output; re-raises the generator's error if it failed.

        Raises ``RuntimeError`` if a worker process died without reporting (e.g.
        killed by a signal) rather than waiting forever; all workers are then
        stopped. Ctrl-C while waiting raises ``KeyboardInterrupt`` (see
        :mod:`keraslike.engine.interrupts`).
        """
        item = self._get_from_processes() if self._pickle_safe else self._get_from_threads()
        if item[0] == _OK:
            return item[1]
        _, error, text = item
        self.stop()
        if text:
            error.add_note('Raised in the generator (worker traceback):\n' + text)
        raise error

    def _get_from_threads(self):
        while True:
            check_interrupt()
            try:
                return self.queue.get(timeout=self.wait_time)
            except queue.Empty:
                if self._any_alive():
                    continue
                try:  # a last item may have arrived just before the worker ended
                    return self.queue.get(timeout=self.wait_time)
                except queue.Empty:
                    raise RuntimeError('The generator workers ended without producing '
                                       'data.')

    def _get_from_processes(self):
        if not self._readers:
            raise RuntimeError('The generator workers were stopped; start() them again.')
        while True:
            check_interrupt()
            ready = mp_connection.wait(self._readers, timeout=self.wait_time)
            if ready:
                index = self._pick(ready)
                try:
                    data = self._readers[index].recv_bytes()
                except (EOFError, OSError):  # OSError: end of file inside a message
                    self._worker_died(index)
                self._slots.release()
                return pickle.loads(data)
            # Nothing to read: a worker can be dead without end-of-file reaching us
            # if a process it started still holds its pipe.
            for index, worker in enumerate(self._workers):
                if worker.exitcode is not None and not self._readers[index].poll(0):
                    self._worker_died(index)

    def _pick(self, ready):
        """Index of the ready pipe next in turn, so that every worker gets read
        (and a dead one's end-of-file is seen) however busy the others are."""
        n = len(self._readers)
        for k in range(n):
            index = (self._next_reader + k) % n
            if self._readers[index] in ready:
                self._next_reader = index + 1
                return index
        raise AssertionError('wait() returned an unknown connection')

    def _worker_died(self, index):
        worker = self._workers[index]
        worker.join(1.)  # it is ending: wait for its exit code
        message = ('Generator worker process %d of %d (pid %s) %s while the loop was '
                   'waiting for its data (pickle_safe=True / use_multiprocessing=True); '
                   'all generator workers were stopped.'
                   % (index + 1, len(self._workers), worker.pid,
                      _describe_exit(worker.exitcode)))
        self.stop()
        raise RuntimeError(message)

    def stop(self, timeout=None):
        """Stop the workers: threads are joined; processes joined, then terminated
        (killed if need be) and reaped, so that none outlives the loop."""
        if self._stop_event is not None:
            self._stop_event.set()
        timeout = 2. if timeout is None else timeout
        deadline = time.time() + timeout
        if self._pickle_safe:
            self._stop_processes(deadline)
        else:
            for worker in self._workers:
                worker.join(max(0., deadline - time.time()))
        self._workers = []
        self.queue = None

    def _stop_processes(self, deadline):
        for reader in self._readers:  # a worker blocked sending to us now fails and ends
            reader.close()
        self._readers = []
        for worker in self._workers:
            worker.join(max(0., deadline - time.time()))
        for worker in self._workers:
            if worker.is_alive():  # e.g. still inside the generator's next()
                worker.terminate()
        for worker in self._workers:
            worker.join(1.)
            if worker.is_alive():  # SIGTERM handled or ignored by the generator's code
                worker.kill()
                worker.join()
