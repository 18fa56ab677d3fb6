"""Progbar output must match Keras 1.2.2 byte for byte (time is faked)."""
import types

import pytest

from keraslike.utils import generic_utils, progbar as progbar_mod
from keraslike.utils.progbar import Progbar


class Clock(object):
    def __init__(self, t=1000.0):
        self.t = t

    def time(self):
        return self.t


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(progbar_mod, 'time', types.SimpleNamespace(time=c.time))
    return c


def test_generic_utils_reexport():
    assert generic_utils.Progbar is Progbar


def test_in_progress_and_completed_lines(clock, capsys):
    bar = Progbar(target=80)
    clock.t += 0.5
    bar.update(32, [('loss', 0.7), ('acc', 0.65625)])
    out = capsys.readouterr().out
    assert out == '\r32/80 [===========>..................] - ETA: 0s - loss: 0.7000 - acc: 0.6562'
    clock.t += 0.5
    bar.update(80, [('loss', (80.416 - 32 * 0.7) / 48), ('acc', 26. / 48)])
    out = capsys.readouterr().out
    # Weighted means: (32*0.7 + 48*1.20866...)/80 = 1.0052; (21 + 26)/80 = 0.5875.
    first_width = len('32/80 [===========>..................] - ETA: 0s'
                      ' - loss: 0.7000 - acc: 0.6562')
    # ' - 1s' is 5 chars shorter than ' - ETA: 0s': the old text is blanked with spaces.
    assert out == ('\b' * first_width + '\r'
                   + '80/80 [==============================] - 1s - loss: 1.0052 - acc: 0.5875'
                   + ' ' * 5 + '\n')


def test_completed_line_zero_seconds(clock, capsys):
    bar = Progbar(target=80)
    clock.t += 0.2
    bar.update(80, [('loss', 1.0052), ('acc', 0.5875)], force=True)
    out = capsys.readouterr().out
    line = '80/80 [==============================] - 0s - loss: 1.0052 - acc: 0.5875\n'
    assert out.endswith(line)
    assert out.split('\r')[-1] == line


def test_eta_and_padding_when_line_shrinks(clock, capsys):
    bar = Progbar(target=100, width=10)
    clock.t += 10.0
    bar.update(10)   # 1 s per step -> ETA 90s
    first = capsys.readouterr().out
    assert first == '\r 10/100 [>.........] - ETA: 90s'
    clock.t += 80.0
    bar.update(90)   # 1 s per step -> ETA 10s (same width)
    second = capsys.readouterr().out
    assert second == '\b' * 31 + '\r' + ' 90/100 [========>.] - ETA: 10s'
    clock.t = 1000.0 + 99.0
    bar.update(99)   # ETA 1s: one char shorter -> one padding space
    third = capsys.readouterr().out
    assert third == '\b' * 31 + '\r' + ' 99/100 [========>.] - ETA: 1s '


def test_interval_throttling_and_force(clock, capsys):
    bar = Progbar(target=10, interval=0.05)
    clock.t += 1.0
    bar.update(2)
    assert capsys.readouterr().out.startswith('\r 2/10')
    clock.t += 0.01
    bar.update(4)                 # too soon: nothing drawn
    assert capsys.readouterr().out == ''
    bar.update(5, force=True)     # forced redraw
    assert '5/10 [==============>...............]' in capsys.readouterr().out
    clock.t += 0.01
    bar.update(10)                # Keras 1.2.2 throttles even the final step
    assert capsys.readouterr().out == ''
    clock.t += 1.0
    bar.update(10)
    assert capsys.readouterr().out.split('\r')[-1].rstrip(' \n') == \
        '10/10 [==============================] - 2s'


def test_small_values_use_exponent(clock, capsys):
    bar = Progbar(target=4)
    clock.t += 1.0
    bar.update(4, [('loss', 5e-4), ('neg', -0.5), ('tiny_neg', -2e-4)])
    line = capsys.readouterr().out.split('\r')[-1]
    assert line == ('4/4 [==============================] - 1s - loss: 5.0000e-04'
                    ' - neg: -0.5000 - tiny_neg: -2.0000e-04\n')


def test_running_mean_weighted_by_step(clock, capsys):
    bar = Progbar(target=10)
    clock.t += 1.0
    bar.add(2, [('loss', 4.0)])
    clock.t += 1.0
    bar.add(8, [('loss', 1.5)])
    assert bar.seen_so_far == 10
    assert bar.sum_values['loss'] == [2 * 4.0 + 8 * 1.5, 10]
    assert capsys.readouterr().out.endswith(' - 2s - loss: 2.0000' + ' ' * 5 + '\n')


def test_verbose_2_prints_only_at_completion(clock, capsys):
    bar = Progbar(target=80, verbose=2)
    clock.t += 0.5
    bar.update(32, [('loss', 0.9082), ('acc', 0.55)])
    assert capsys.readouterr().out == ''
    bar.update(80, [('loss', 0.9082), ('acc', 0.55)])
    assert capsys.readouterr().out == '0s - loss: 0.9082 - acc: 0.5500\n'


def test_verbose_2_exponent_rule_has_no_abs(clock, capsys):
    bar = Progbar(target=1, verbose=2)
    clock.t += 3.0
    bar.update(1, [('a', -0.5), ('b', 2e-4), ('c', 0.25)])
    assert capsys.readouterr().out == '3s - a: -5.0000e-01 - b: 2.0000e-04 - c: 0.2500\n'


def test_verbose_0_is_silent(clock, capsys):
    bar = Progbar(target=3, verbose=0)
    bar.update(3, [('loss', 1.0)], force=True)
    assert capsys.readouterr().out == ''


def test_wide_target_pads_counter(clock, capsys):
    bar = Progbar(target=1000)
    clock.t += 1.0
    bar.update(32)
    out = capsys.readouterr().out
    # int(30 * 32 / 1000) == 0: no '>' yet
    assert out == '\r  32/1000 [..............................] - ETA: 30s'
