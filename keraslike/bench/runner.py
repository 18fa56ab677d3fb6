"""One benchmark measurement, run in its own process: ``python -m keraslike.bench.runner SPEC``.

SPEC is a JSON object: ``framework`` ('keraslike', 'keras3', 'torch' or
'gemm'), ``mode`` (keraslike's execution mode), ``backend`` (Keras 3's),
``workload``, ``samples``, ``epochs``, ``threads`` and ``t_spawn`` (the
parent's ``time.time()`` just before it started this process).

The process pins itself to ``threads`` CPUs before importing anything that
starts a thread pool (the parent also sets OMP/MKL/OPENBLAS/XLA variables),
times the run and prints one line ``BENCH_RESULT {json}``:

- ``build_compile_s``: model construction and compilation up to the end of
  the first training batch (a lazy compiler, as keraslike's and Keras 3's
  are, compiles there), so one step is included;
- ``first_epoch_s``: process start to the end of the first epoch, data
  synthesis excluded: interpreter start, imports, build, compile and one
  epoch, what a user waits for;
- ``train_sps``: samples/s, the median over the epochs after the first;
  ``train_cpu_sps`` is the same on process CPU time (less sensitive to other
  load on a shared machine); ``epoch_s`` lists every epoch;
- ``predict_sps``: samples/s of a second ``predict`` over the training data
  (the first compiles); ``peak_mb``: the process's ``ru_maxrss``;
- ``train_wall_sps``: the same samples/s as ``train_sps`` from a plain wall
  clock around the epochs after the first (end of the first epoch to the
  return of ``fit``), which checks the epoch callbacks' timing.

With ``first_epoch_only`` in SPEC the run trains one epoch and skips
``predict``: the cold-start measurement (``cli.py`` runs it with empty
caches). With ``flush_denormal`` PyTorch flushes denormal floats to zero
(``torch.set_flush_denormal``), which it does not do by default.
"""
import json
import os
import resource
import sys
import time


def pin_threads(threads):
    """Use at most ``threads`` CPUs: affinity for every pool, and the BLAS pools' own limits."""
    if hasattr(os, 'sched_setaffinity'):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, cpus[:max(1, threads)])
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(threads)
    except ImportError:
        pass


class EpochRecorder(object):
    """Wall and CPU time at each epoch's start and end, and at the end of the first batch."""

    def __init__(self):
        self.epochs = []        # (wall seconds, cpu seconds)
        self.first_batch_end = None
        self.fit_end = None     # set by the runner when fit returns
        self._begin = None

    def epoch_begin(self):
        self._begin = (time.perf_counter(), time.process_time())

    def batch_end(self):
        if self.first_batch_end is None:
            self.first_batch_end = time.time()

    def epoch_end(self):
        wall, cpu = self._begin
        self.epochs.append((time.perf_counter() - wall, time.process_time() - cpu))
        if len(self.epochs) == 1:
            self.first_epoch_end = time.time()


def _median(values):
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else 0.5 * (values[mid - 1] + values[mid])


def run_keraslike(spec, x, y, labels, rec):
    from keraslike import backend as K
    from keraslike.callbacks import Callback
    from .workloads import build_keraslike

    class Timer(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            rec.epoch_begin()

        def on_batch_end(self, batch, logs=None):
            rec.batch_end()

        def on_epoch_end(self, epoch, logs=None):
            rec.epoch_end()

    if spec.get('mode') and spec['mode'] != 'DEFAULT':
        K.set_mode(spec['mode'])
    info = {'mode': K.mode()}
    if K.mode() == 'JAX':   # imported before the build clock starts, as Keras 3 imports it
        from keraslike.backend.runtime import jax_mode
        jax_mode.setup()
    t_build = time.time()
    model = build_keraslike(spec['workload'])
    bs = spec['batch_size']
    model.fit(x, y, batch_size=bs, nb_epoch=spec['epochs'], verbose=0, callbacks=[Timer()])
    rec.fit_end = time.time()
    train_fn = model.model.train_function
    info['train_mode'] = train_fn.mode       # differs from 'mode' after a fallback
    if getattr(train_fn, 'fallback_reason', None):
        info['fallback_reason'] = train_fn.fallback_reason
    predict = lambda: model.predict(x, batch_size=bs)  # noqa: E731
    info.update(_versions('pytensor', 'numba', 'jax'))
    if K.mode() == 'CVM':
        from keraslike.backend.runtime import blas
        info['blas_ldflags'] = blas.blas_ldflags()
    return t_build, predict, info


def run_keras3(spec, x, y, labels, rec):
    import keras  # noqa: F401  (imported before the build clock starts)
    from .peers import build_keras3, keras3_inputs, keras3_timer
    xk = keras3_inputs(spec['workload'], x)
    t_build = time.time()
    model = build_keras3(spec['workload'])
    bs = spec['batch_size']
    model.fit(xk, y, batch_size=bs, epochs=spec['epochs'], verbose=0, shuffle=True,
              callbacks=[keras3_timer(rec)])
    rec.fit_end = time.time()
    predict = lambda: model.predict(xk, batch_size=bs, verbose=0)  # noqa: E731
    info = _versions('keras', 'jax', 'torch')
    info['backend'] = os.environ.get('KERAS_BACKEND')
    return t_build, predict, info


def run_torch(spec, x, y, labels, rec):
    import torch
    from .peers import build_torch, torch_fit, torch_predict, torch_tensors
    torch.set_num_threads(spec['threads'])
    torch.set_flush_denormal(bool(spec.get('flush_denormal')))
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    name = spec['workload']
    xt, yt = torch_tensors(name, x, y, labels)
    binary = name == 'imdb_lstm'
    t_build = time.time()
    model, opt, loss = build_torch(name)
    torch_fit(model, opt, loss, xt, yt, spec['batch_size'], spec['epochs'], rec, binary=binary)
    rec.fit_end = time.time()
    predict = lambda: torch_predict(model, xt, spec['batch_size'], binary=binary)  # noqa: E731
    return t_build, predict, _versions('torch')


def _versions(*names):
    from importlib import metadata
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def run_gemm(spec):
    from .roofline import gemm_roofline
    return gemm_roofline()


def main(argv=None):
    t_enter = time.time()
    spec = json.loads((argv or sys.argv[1:])[0])
    pin_threads(spec['threads'])
    if spec['framework'] == 'gemm':
        print('BENCH_RESULT ' + json.dumps(run_gemm(spec)))
        return
    from .workloads import WORKLOADS
    workload = WORKLOADS[spec['workload']]
    spec.setdefault('batch_size', workload.batch_size)
    t = time.perf_counter()
    x, y, labels = workload.data(spec['samples'])
    t_data = time.perf_counter() - t
    rec = EpochRecorder()
    runners = {'keraslike': run_keraslike, 'keras3': run_keras3, 'torch': run_torch}
    t_import = time.time()
    if spec.get('first_epoch_only'):
        spec['epochs'] = 1
    t_build, predict, info = runners[spec['framework']](spec, x, y, labels, rec)
    n = spec['samples']
    result = dict(spec, **info)
    result.update({
        'ok': True,
        'startup_s': t_enter - spec['t_spawn'],
        'data_s': t_data,
        'import_s': t_build - t_import,
        'build_compile_s': rec.first_batch_end - t_build,
        'first_epoch_s': rec.first_epoch_end - spec['t_spawn'] - t_data,
        'epoch_s': [round(w, 4) for w, _ in rec.epochs],
        'epoch_cpu_s': [round(c, 4) for _, c in rec.epochs],
    })
    if not spec.get('first_epoch_only'):
        predict()                       # the first call may compile
        t = time.perf_counter()
        took = predict()
        elapsed = took if isinstance(took, float) else time.perf_counter() - t
        steady = rec.epochs[1:]
        result.update({
            'train_sps': n / _median([w for w, _ in steady]),
            'train_cpu_sps': n / _median([c for _, c in steady]),
            'train_wall_sps': n * len(steady) / (rec.fit_end - rec.first_epoch_end),
            'predict_sps': n / elapsed,
        })
    result['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.
    sys.stdout.flush()
    print('BENCH_RESULT ' + json.dumps(result))


if __name__ == '__main__':
    main()
