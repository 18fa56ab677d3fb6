"""Per-batch overhead of a compiled training step, at batch 1, 32 and 128.

For the mlp workload in each execution mode: the bare call of the compiled
train function (input conversion + the compiled code), and ``fit``'s time
per batch (batch assembly, callbacks, logs around the same call). The
difference, stored as ``extra_info['overhead_us']``, is what keraslike adds
per batch; at batch 1 it is most of the step.
"""
import time

import numpy as np
import pytest
from conftest import bench_modes

from keraslike import backend as K
from keraslike.bench.workloads import WORKLOADS, build_keraslike

BATCHES = (1, 32, 128)
N_BATCHES = 64


@pytest.fixture(scope='module', params=bench_modes())
def mlp(request):
    K.set_mode(request.param)
    try:
        model = build_keraslike('mlp')
        x, y, _ = WORKLOADS['mlp'].data(max(BATCHES) * N_BATCHES)
        for b in BATCHES:   # compile (and, in JAX mode, trace each batch size) up front
            model.fit(x[:b * 2], y[:b * 2], batch_size=b, nb_epoch=1, verbose=0)
    finally:
        K.set_mode(None)
    return request.param, model, x, y


def _call_seconds(f, ins, repeat=200):
    best = float('inf')
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(repeat):
            f(ins)
        best = min(best, (time.perf_counter() - t) / repeat)
    return best


@pytest.mark.parametrize('batch', BATCHES)
def test_train_function_call(benchmark, mlp, batch):
    mode, model, x, y = mlp
    f = model.model.train_function
    ins = [x[:batch], y[:batch], np.ones(batch, dtype='float32')]
    benchmark(f, ins)
    benchmark.extra_info.update(mode=mode, batch=batch)


@pytest.mark.parametrize('batch', BATCHES)
def test_fit_per_batch(benchmark, mlp, batch):
    mode, model, x, y = mlp
    n = batch * N_BATCHES
    xs, ys = x[:n], y[:n]
    benchmark.pedantic(model.fit, args=(xs, ys),
                       kwargs=dict(batch_size=batch, nb_epoch=1, verbose=0),
                       rounds=5, warmup_rounds=1)
    f = model.model.train_function
    call = _call_seconds(f, [x[:batch], y[:batch], np.ones(batch, dtype='float32')],
                         repeat=max(5, 2000 // batch))
    per_batch = benchmark.stats.stats.median / N_BATCHES
    benchmark.extra_info.update(mode=mode, batch=batch, per_batch_us=1e6 * per_batch,
                                call_us=1e6 * call, overhead_us=1e6 * (per_batch - call))
