"""Ctrl-C during a training loop: stop at the next batch boundary with ``KeyboardInterrupt``.

Why: Python raises ``KeyboardInterrupt`` at whatever bytecode the main thread
runs when SIGINT arrives. During training that is often a garbage-collector
callback (JAX registers one) or a weakref callback, where the exception is
printed as "Exception ignored in ..." and dropped, so Ctrl-C seemed to be
ignored; or it lands half-way through writing a checkpoint.

While a loop runs under :func:`stop_at_batch_boundary` (main thread only, and
only when SIGINT has Python's default handler), the first SIGINT is merely
recorded; the loop calls :func:`check` after each batch, which raises
``KeyboardInterrupt`` there. A second SIGINT raises at once, for a batch that
never ends. The previous handler is restored when the loop ends; a SIGINT
recorded after the last check is raised then, so it is never lost.

>>> @stop_at_batch_boundary
... def loop(n):
...     for i in range(n):
...         check()
...     return n
>>> loop(3)
3
"""
import functools
import signal
import threading

_active = False  # a guard's handler is installed (nested loops share it)
_pending = 0     # SIGINTs received since it was installed


def _on_sigint(signum, frame):
    global _pending
    _pending += 1
    if _pending > 1:  # asked twice: do not wait for the batch to end
        raise KeyboardInterrupt


def _in_main_thread():
    return threading.current_thread() is threading.main_thread()


def check():
    """Raise ``KeyboardInterrupt`` if SIGINT arrived since the guard was installed.

    A no-op outside a guard and in other threads (signals reach only the main one).
    """
    global _pending
    if _pending and _active and _in_main_thread():
        _pending = 0
        raise KeyboardInterrupt


def stop_at_batch_boundary(loop):
    """Decorator: run ``loop`` with SIGINT deferred to its :func:`check` calls."""
    @functools.wraps(loop)
    def guarded(*args, **kwargs):
        global _active, _pending
        # Leave alone a handler the user installed (or SIG_IGN), and nested loops.
        if _active or not _in_main_thread() \
                or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return loop(*args, **kwargs)
        previous = signal.signal(signal.SIGINT, _on_sigint)
        _active, _pending = True, 0
        try:
            result = loop(*args, **kwargs)
        finally:
            signal.signal(signal.SIGINT, previous)
            missed = _pending  # arrived after the loop's last check
            _active, _pending = False, 0
        if missed:
            raise KeyboardInterrupt
        return result
    return guarded
