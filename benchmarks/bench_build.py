"""Model build time against depth: layers + Model(), no compile (issue 15, point 5).

Builds the models of ``build_models.py``: 6, 12, 24 and 48 blocks of
ZeroPadding2D + 3x3 Convolution2D + concat, and DenseNet-121 at 224x224
('th' ordering), each in a fresh process as the first model a script builds
(so one-time registrations count, as they do for a user), then again in
that process; the import of keraslike is timed apart.
``keras1_theano_build.py`` builds the same source in Keras 1.2.2 on Theano.

As a script it prints a table::

    python benchmarks/bench_build.py

As a pytest-benchmark suite (``pytest benchmarks/bench_build.py``) it stores
``import_s``, ``layers_s``, ``model_s``, ``again_layers_s`` and
``again_model_s`` in each benchmark's ``extra_info``.
"""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import build_models  # noqa: E402

CHILD = r'''
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[2])
import build_models
from keraslike import layers as L
from keraslike.models import Model
import_s = time.perf_counter() - t0
for name, builder, args in build_models.cases():
    if name == sys.argv[1]:
        first = build_models.timed_build(L, Model, builder, *args)
        again = build_models.timed_build(L, Model, builder, *args)
        print('BUILD ' + json.dumps({'import_s': import_s, 'layers_s': first[0],
                                     'model_s': first[1], 'again_layers_s': again[0],
                                     'again_model_s': again[1],
                                     'params': first[2].count_params(),
                                     'layers': len(first[2].layers)}))
'''


def measure(name):
    """One build in a fresh process: import_s; layers_s and model_s of the first model the
    process builds; again_layers_s, again_model_s of the same build repeated; params, layers."""
    out = subprocess.run([sys.executable, '-c', CHILD, name, HERE], capture_output=True,
                         text=True, timeout=1800)
    for line in out.stdout.splitlines():
        if line.startswith('BUILD '):
            return json.loads(line[len('BUILD '):])
    raise RuntimeError('build %r failed: %s' % (name, out.stderr[-2000:]))


NAMES = [name for name, _, _ in build_models.cases()]


@pytest.mark.parametrize('name', NAMES)
def test_build(benchmark, name):
    results = []
    benchmark.pedantic(lambda: results.append(measure(name)), rounds=1, iterations=1)
    benchmark.extra_info.update(results[0], build=name)


def main():
    head = ('build', 'layers', 'import_s', 'layers_s', 'model_s', 'first_s', 'again_s', 'params')
    print('%-22s %6s %8s %8s %8s %8s %8s %9s' % head)
    for name in NAMES:
        r = measure(name)
        print('%-22s %6d %8.2f %8.2f %8.2f %8.2f %8.2f %9d'
              % (name, r['layers'], r['import_s'], r['layers_s'], r['model_s'],
                 r['layers_s'] + r['model_s'], r['again_layers_s'] + r['again_model_s'],
                 r['params']))
        sys.stdout.flush()
    print('first_s: layers + Model() of the first model a process builds (one-time '
          'registrations included); again_s: the same build repeated in that process.')


if __name__ == '__main__':
    main()
