"""Keras 1.2.2 text progress bar (``keras.utils.generic_utils.Progbar``).

>>> bar = Progbar(target=80, verbose=2)   # verbose=1 draws '32/80 [====>...] - ETA: 0s ...'
>>> bar.update(32, [('loss', 0.7)])
>>> bar.add(48, [('loss', 1.2)])          # mean weighted by steps: (32*0.7 + 48*1.2) / 80
0s - loss: 1.0000
"""
import sys
import time

import numpy as np


def _fmt(avg, use_abs=True):
    """' %.4f' normally, ' %.4e' for small values (Keras 1 rule)."""
    big = abs(avg) > 1e-3 if use_abs else avg > 1e-3
    return ' %.4f' % avg if big else ' %.4e' % avg


class Progbar(object):
    """Displays a progress bar on ``sys.stdout``.

    ``target`` is the total number of steps (samples); ``interval`` the
    minimum time in seconds between two redraws (``force=True`` bypasses it).
    ``verbose=1`` redraws a bar in place; ``verbose=2`` prints one summary
    line once ``current >= target``.

    >>> Progbar(10, verbose=2).update(10, [('acc', 0.5)])
    0s - acc: 0.5000
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05):
        self.width = width
        self.target = target
        self.sum_values = {}
        self.unique_values = []
        self.start = time.time()
        self.last_update = 0
        self.interval = interval
        self.total_width = 0
        self.seen_so_far = 0
        self.verbose = verbose

    def update(self, current, values=None, force=False):
        """Move to step ``current``; ``values`` is a list of ``(name, value)``
        averaged over steps, each weighted by ``current - seen_so_far``."""
        values = values or []
        step = current - self.seen_so_far
        for k, v in values:
            if k not in self.sum_values:
                self.sum_values[k] = [v * step, step]
                self.unique_values.append(k)
            else:
                self.sum_values[k][0] += v * step
                self.sum_values[k][1] += step
        self.seen_so_far = current

        now = time.time()
        if self.verbose == 1:
            if not force and (now - self.last_update) < self.interval:
                return
            self._draw(current, now)
        if self.verbose == 2 and current >= self.target:
            info = '%ds' % (now - self.start)
            for k in self.unique_values:
                avg = self.sum_values[k][0] / max(1, self.sum_values[k][1])
                info += ' - %s:' % k + _fmt(avg, use_abs=False)
            sys.stdout.write(info + '\n')
            sys.stdout.flush()
        self.last_update = now

    def _draw(self, current, now):
        prev_total_width = self.total_width
        sys.stdout.write('\b' * prev_total_width)
        sys.stdout.write('\r')

        # a target of 0 (nothing to do) draws a full bar instead of failing on log10(0)
        numdigits = int(np.floor(np.log10(self.target))) + 1 if self.target > 0 else 1
        barstr = '%%%dd/%%%dd [' % (numdigits, numdigits)
        bar = barstr % (current, self.target)
        prog_width = (int(self.width * (float(current) / self.target)) if self.target > 0
                      else self.width)
        if prog_width > 0:
            bar += '=' * (prog_width - 1)
            bar += '>' if current < self.target else '='
        bar += '.' * (self.width - prog_width)
        bar += ']'
        sys.stdout.write(bar)
        self.total_width = len(bar)

        time_per_unit = (now - self.start) / current if current else 0
        if current < self.target:
            info = ' - ETA: %ds' % (time_per_unit * (self.target - current))
        else:
            info = ' - %ds' % (now - self.start)
        for k in self.unique_values:
            info += ' - %s:' % k
            if isinstance(self.sum_values[k], list):
                info += _fmt(self.sum_values[k][0] / max(1, self.sum_values[k][1]))
            else:
                info += ' %s' % self.sum_values[k]

        self.total_width += len(info)
        if prev_total_width > self.total_width:
            info += ' ' * (prev_total_width - self.total_width)
        sys.stdout.write(info)
        if current >= self.target:
            sys.stdout.write('\n')
        sys.stdout.flush()

    def add(self, n, values=None):
        """Advance by ``n`` steps."""
        self.update(self.seen_so_far + n, values)
