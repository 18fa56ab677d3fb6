"""Time one mnist_cnn training step (Keras 1's examples/mnist_cnn.py model) in each mode.

Model: Conv 32 3x3 relu, Conv 32 3x3 relu, MaxPool 2x2, Dropout 0.25, Flatten,
Dense 128 relu, Dropout 0.5, Dense 10 softmax; Adadelta; batch 128 of
(1, 28, 28) 'th' images (random data: the speed does not depend on it).

Each mode runs in its own process (a model's variables belong to one backend)
and reports the time to build and compile (the first ``train_on_batch``; the
cold number depends on the PyTensor/Numba caches under ``~/.pytensor``) and
steady-state samples per second::

    python benchmarks/bench_conv.py                 # NUMBA, C, and JAX if importable
    python benchmarks/bench_conv.py --modes NUMBA --steps 20 --threads 2
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

BATCH = 128


def run_one(mode, steps, threads):
    """Build, compile and time the model in this process; returns a dict of results."""
    import numpy as np
    from keraslike import backend as K
    from keraslike.layers import Activation, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
    from keraslike.models import Sequential

    K.set_mode(mode)
    K.set_image_dim_ordering('th')
    if threads:  # NumPy's BLAS (conv kernels) and SciPy's (Numba's dot)
        K.set_blas_threads(threads)
    np.random.seed(1337)
    x = np.random.rand(BATCH, 1, 28, 28).astype('float32')
    y = np.eye(10, dtype='float32')[np.random.randint(0, 10, BATCH)]

    t0 = time.perf_counter()
    model = Sequential()
    model.add(Convolution2D(32, 3, 3, border_mode='valid', input_shape=(1, 28, 28)))
    model.add(Activation('relu'))
    model.add(Convolution2D(32, 3, 3))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(128))
    model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(10))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='adadelta', metrics=['accuracy'])
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.train_on_batch(x, y)
    first = time.perf_counter() - t0
    # Numba compiles once more for the second call's argument types (the updated
    # parameters' layouts differ from the initial arrays): not part of a step
    t0 = time.perf_counter()
    model.train_on_batch(x, y)
    second = time.perf_counter() - t0
    times = []
    cpu0 = time.process_time()
    for _ in range(steps):
        t0 = time.perf_counter()
        model.train_on_batch(x, y)
        times.append(time.perf_counter() - t0)
    # CPU seconds per step (all threads): less sensitive than wall time to other processes
    cpu = (time.process_time() - cpu0) / steps
    times.sort()
    median = times[len(times) // 2]
    return {'mode': mode, 'build_s': round(build, 2), 'first_call_s': round(first, 2),
            'second_call_s': round(second, 2),
            'step_ms_median': round(1e3 * median, 1), 'step_ms_best': round(1e3 * times[0], 1),
            'samples_per_s': round(BATCH / median), 'cpu_ms_per_step': round(1e3 * cpu, 1),
            'threads': threads}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--modes', nargs='*', default=None,
                        help='modes to time (default: NUMBA C, and JAX if importable)')
    parser.add_argument('--steps', type=int, default=15)
    parser.add_argument('--threads', type=int, default=1,
                        help='BLAS threads (default 1: 2-thread OpenBLAS collapses on a busy '
                             '2-core machine; 0 leaves the library default)')
    parser.add_argument('--child', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.steps, args.threads)))
        return
    modes = args.modes or (['NUMBA', 'C'] + (['JAX'] if importlib.util.find_spec('jax') else []))
    print('mnist_cnn training step, batch %d' % BATCH)
    for mode in modes:
        cmd = [sys.executable, os.path.abspath(__file__), '--child', mode,
               '--steps', str(args.steps), '--threads', str(args.threads)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        lines = [line for line in proc.stdout.splitlines() if line.startswith('{')]
        if proc.returncode or not lines:
            print('%-6s failed:\n%s' % (mode, proc.stderr[-2000:]))
            continue
        r = json.loads(lines[-1])
        print('%-6s build %4.1f s  compile: 1st call %5.1f s, 2nd %4.1f s  step %6.1f ms '
              '(best %.1f, cpu %.1f)  %5d samples/s'
              % (mode, r['build_s'], r['first_call_s'], r['second_call_s'], r['step_ms_median'],
                 r['step_ms_best'], r['cpu_ms_per_step'], r['samples_per_s']))


if __name__ == '__main__':
    main()
