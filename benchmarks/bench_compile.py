"""Compile time of each workload, cold (empty caches) and warm (a second process).

Each measurement is a fresh process that imports keraslike, builds the
workload's model and runs one ``train_on_batch``: the rewrite of the graph,
the linking, and the first call (where Numba compiles or loads its cache and
JAX traces and compiles or loads its XLA program). Cold runs get empty
caches in a temporary folder (``PYTENSOR_FLAGS=base_compiledir=...``,
``NUMBA_CACHE_DIR``, ``KERASLIKE_JAX_CACHE``); warm runs reuse that folder.
``extra_info`` holds the in-process split: import_s, build_s, compile_s.
"""
import json
import os
import subprocess
import sys
import tempfile

import pytest
from conftest import bench_modes

from keraslike.bench.workloads import ORDER, WORKLOADS

CHILD = r'''
import json, sys, time
t0 = time.perf_counter()
from keraslike import backend as K
from keraslike.bench.workloads import WORKLOADS, build_keraslike
t1 = time.perf_counter()
name, mode = sys.argv[1], sys.argv[2]
K.set_mode(mode)
model = build_keraslike(name)
t2 = time.perf_counter()
w = WORKLOADS[name]
x, y, _ = w.data(w.batch_size)
model.train_on_batch(x, y)
t3 = time.perf_counter()
print('COMPILE ' + json.dumps({'import_s': t1 - t0, 'build_s': t2 - t1, 'compile_s': t3 - t2}))
'''


def _run(name, mode, cache):
    env = dict(os.environ, NUMBA_CACHE_DIR=os.path.join(cache, 'numba'),
               KERASLIKE_JAX_CACHE=os.path.join(cache, 'jax'), KERASLIKE_MODE=mode)
    flags = [f for f in [env.get('PYTENSOR_FLAGS', ''), 'base_compiledir=' + cache] if f]
    env['PYTENSOR_FLAGS'] = ','.join(flags)
    out = subprocess.run([sys.executable, '-c', CHILD, name, mode], env=env, capture_output=True,
                         text=True, timeout=1800)
    for line in out.stdout.splitlines():
        if line.startswith('COMPILE '):
            return json.loads(line[len('COMPILE '):])
    raise RuntimeError('compile run failed: ' + out.stderr[-2000:])


CASES = [(w, m) for w in ORDER for m in bench_modes()]


@pytest.fixture(scope='module')
def caches():
    root = tempfile.mkdtemp(prefix='keraslike-compile-bench-')
    yield lambda name, mode: os.path.join(root, '%s-%s' % (name, mode))


def _skip_unavailable(name):
    ok, why = WORKLOADS[name].available()
    if not ok:
        pytest.skip(why)


@pytest.mark.parametrize('name,mode', CASES)
def test_compile_cold(benchmark, caches, name, mode):
    _skip_unavailable(name)
    cache = caches(name, mode)
    result = benchmark.pedantic(_run, args=(name, mode, cache), rounds=1, iterations=1)
    benchmark.extra_info.update(result, workload=name, mode=mode, cache='cold')


@pytest.mark.parametrize('name,mode', CASES)
def test_compile_warm(benchmark, caches, name, mode):
    _skip_unavailable(name)
    cache = caches(name, mode)
    if not os.path.isdir(cache):
        _run(name, mode, cache)   # fill the cache first when run alone
    results = []
    benchmark.pedantic(lambda: results.append(_run(name, mode, cache)), rounds=2, iterations=1)
    best = min(results, key=lambda r: r['compile_s'])
    benchmark.extra_info.update(best, workload=name, mode=mode, cache='warm')
