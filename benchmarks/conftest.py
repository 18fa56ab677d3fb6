"""pytest-benchmark suites for keraslike (``pip install -e '.[bench]'``).

Run from the repository root::

    pytest benchmarks/                          # all suites; JSON in benchmarks/results/
    pytest benchmarks/bench_step.py -k NUMBA    # one suite, one mode
    KERASLIKE_BENCH_MODES=JAX pytest benchmarks/

Files named ``bench_*.py`` are collected here (the test suite under tests/
never runs them). Unless ``--benchmark-json`` is given, results are written
to ``benchmarks/results/<suite>-<date>.json``; the suites also store their
derived figures (per-batch overhead, compile seconds, per-op times) in each
benchmark's ``extra_info``. Speed goals are read from these files and from
``python -m keraslike.bench``; nothing here asserts a time.
"""
import os
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def pytest_collect_file(file_path, parent):
    # files named on the command line are collected by pytest itself
    if file_path.suffix == '.py' and file_path.name.startswith('bench_') \
            and not parent.session.isinitpath(file_path):
        return pytest.Module.from_parent(parent, path=file_path)


def pytest_configure(config):
    if getattr(config.option, 'benchmark_json', 'absent') is None:
        args = [a for a in config.args if a.endswith('.py')]
        suite = os.path.splitext(os.path.basename(args[0]))[0] if len(args) == 1 else 'all'
        os.makedirs(os.path.join(HERE, 'results'), exist_ok=True)
        path = os.path.join(HERE, 'results', '%s-%s.json' % (suite, time.strftime('%Y%m%d-%H%M%S')))
        config.option.benchmark_json = path


def bench_modes():
    """Execution modes to benchmark: $KERASLIKE_BENCH_MODES, or every one available here."""
    from keraslike.bench.cli import available_modes
    env = os.environ.get('KERASLIKE_BENCH_MODES')
    return [m.strip().upper() for m in env.split(',')] if env else available_modes()
