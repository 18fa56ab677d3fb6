"""Time the training of Keras 1's recurrent workloads in each execution mode.

Workloads (random data: the speed does not depend on it):

- ``imdb_lstm``: Embedding 20000x128, LSTM 128, Dense 1 sigmoid; Adam;
  maxlen 80, batch 32 (Keras 1's examples/imdb_lstm.py without dropout).
- ``stacked_lstm``: the guide's stacked LSTM, 3 x LSTM(32) over 8 timesteps
  of 16 features, Dense 10 softmax; rmsprop; batch 64.

Each (workload, mode) runs in its own process (a model's variables belong
to one backend) and reports the build time, the compile time (the first
``train_on_batch``; the cold number depends on the Numba, C and JAX disk
caches) and steady-state samples per second. ``--path scan`` times the
generic ``K.rnn`` (scan) path instead of the fused recurrent loop, and
``--path unroll`` the same step functions unrolled into the graph::

    python benchmarks/bench_rnn.py                       # NUMBA, C, and JAX if importable
    python benchmarks/bench_rnn.py --workloads imdb_lstm --modes JAX --steps 30
    python benchmarks/bench_rnn.py --path scan --modes NUMBA
    python benchmarks/bench_rnn.py --path unroll --workloads stacked_lstm

Peers measured on the same kind of 2-core machine: PyTorch ~1,200 samples/s
on imdb_lstm, Keras 3 on JAX ~28,000 samples/s on stacked_lstm.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

WORKLOADS = {'imdb_lstm': 32, 'stacked_lstm': 64}   # name -> batch size


def build(name):
    """The Keras 1 model and one batch of data for workload ``name``."""
    import numpy as np
    from keraslike.layers import LSTM, Dense, Embedding
    from keraslike.models import Sequential
    batch = WORKLOADS[name]
    rng = np.random.RandomState(1337)
    model = Sequential()
    if name == 'imdb_lstm':
        model.add(Embedding(20000, 128, input_length=80))
        model.add(LSTM(128))
        model.add(Dense(1, activation='sigmoid'))
        model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
        x = rng.randint(1, 20000, size=(batch, 80)).astype('int32')
        y = rng.randint(0, 2, size=(batch, 1)).astype('float32')
    else:
        model.add(LSTM(32, return_sequences=True, input_shape=(8, 16)))
        model.add(LSTM(32, return_sequences=True))
        model.add(LSTM(32))
        model.add(Dense(10, activation='softmax'))
        model.compile(loss='categorical_crossentropy', optimizer='rmsprop',
                      metrics=['accuracy'])
        x = rng.rand(batch, 8, 16).astype('float32')
        y = np.eye(10, dtype='float32')[rng.randint(0, 10, batch)]
    return model, x, y


def run_one(name, mode, steps, threads, path):
    """Build, compile and time one workload in this process; returns a dict of results."""
    import numpy as np
    from keraslike import backend as K
    K.set_mode(mode)
    if threads:
        K.set_blas_threads(threads)
    if path != 'fused':
        from keraslike.layers import recurrent_base
        recurrent_base.Recurrent.use_fused = lambda self: False
        if path == 'unroll':   # a Python loop in the graph instead of a scan
            init = recurrent_base.Recurrent.__init__

            def unrolled(self, *args, **kwargs):
                kwargs['unroll'] = True
                init(self, *args, **kwargs)
            recurrent_base.Recurrent.__init__ = unrolled
    np.random.seed(1337)
    t0 = time.perf_counter()
    model, x, y = build(name)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.train_on_batch(x, y)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.train_on_batch(x, y)   # Numba may compile once more for the updated arrays
    second = time.perf_counter() - t0
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        model.train_on_batch(x, y)
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    return {'workload': name, 'mode': mode, 'path': path, 'build_s': round(build_s, 2),
            'first_call_s': round(first, 2), 'second_call_s': round(second, 2),
            'step_ms_median': round(1e3 * median, 2), 'step_ms_best': round(1e3 * times[0], 2),
            'samples_per_s': round(WORKLOADS[name] / median), 'threads': threads}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--workloads', nargs='*', default=sorted(WORKLOADS),
                        choices=sorted(WORKLOADS))
    parser.add_argument('--modes', nargs='*', default=None,
                        help='modes to time (default: NUMBA C, and JAX if importable)')
    parser.add_argument('--steps', type=int, default=20)
    parser.add_argument('--threads', type=int, default=1,
                        help='BLAS threads (default 1: 2-thread OpenBLAS collapses on a busy '
                             '2-core machine; 0 leaves the library default)')
    parser.add_argument('--path', choices=('fused', 'scan', 'unroll'), default='fused',
                        help='recurrence implementation: the fused loop (default), K.rnn as a '
                             'scan, or K.rnn unrolled into the graph')
    parser.add_argument('--json', action='store_true', help='print one JSON line per result')
    parser.add_argument('--child', nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child[0], args.child[1], args.steps, args.threads,
                                 args.path)))
        return
    modes = args.modes or (['NUMBA', 'C'] + (['JAX'] if importlib.util.find_spec('jax') else []))
    for name in args.workloads:
        print('%s, batch %d, %s path' % (name, WORKLOADS[name], args.path))
        for mode in modes:
            cmd = [sys.executable, os.path.abspath(__file__), '--child', name, mode,
                   '--steps', str(args.steps), '--threads', str(args.threads),
                   '--path', args.path]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            lines = [line for line in proc.stdout.splitlines() if line.startswith('{')]
            if proc.returncode or not lines:
                print('  %-6s failed:\n%s' % (mode, proc.stderr[-2000:]))
                continue
            r = json.loads(lines[-1])
            if args.json:
                print(lines[-1])
                continue
            print('  %-6s build %4.1f s  compile: 1st call %5.1f s, 2nd %4.1f s  step %7.2f ms '
                  '(best %.2f)  %6d samples/s' % (mode, r['build_s'], r['first_call_s'],
                                                  r['second_call_s'], r['step_ms_median'],
                                                  r['step_ms_best'], r['samples_per_s']))


if __name__ == '__main__':
    main()
