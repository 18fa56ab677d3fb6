"""Resident memory of one process that builds, trains and drops many different small models.

Each model (different layer sizes, so no compiled function can be reused) is
built, compiled, fitted for one epoch on tiny data and used to predict, then
dropped. The resident set size is printed every ``--every`` models: it should
flatten out once the process has warmed up, not grow with every model (a
process that loaded 52 saved models grew past 3.9 GB).

    python benchmarks/memory_many_models.py [--models 50] [--every 10] [--mode JAX]
                                           [--width 4] [--clear-jax-caches]
"""
import argparse
import gc
import os
import resource
import sys
import time

import numpy as np


def rss_mb():
    """Current resident set size in MB (Linux ``/proc``; the peak elsewhere)."""
    try:
        with open('/proc/self/statm') as f:
            return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2. ** 20
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (2. ** 20 if sys.platform == 'darwin' else 2. ** 10)


def one_model(i, rng, width=4):
    from keraslike.layers import Dense, Dropout
    from keraslike.models import Sequential
    hidden = width + i          # a new weight shape each time: nothing compiled is reused
    classes = 2 + i % 3
    model = Sequential([Dense(hidden, input_dim=width, activation='relu'), Dropout(0.1),
                        Dense(classes, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])
    x = rng.rand(16, width).astype('float32')
    y = np.eye(classes)[rng.randint(0, classes, 16)]
    model.fit(x, y, batch_size=8, nb_epoch=1, verbose=0)
    model.predict(x, batch_size=8)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', type=int, default=50)
    parser.add_argument('--every', type=int, default=10)
    parser.add_argument('--mode', default=None, help='execution mode (default: the default)')
    parser.add_argument('--width', type=int, default=4,
                        help='input features and base hidden size (512: ~1 MB of weights, '
                             'x3 with Adam\'s moments, per model)')
    parser.add_argument('--clear-jax-caches', action='store_true',
                        help='call jax.clear_caches() after each model (for comparison)')
    args = parser.parse_args(argv)
    from keraslike import backend as K
    if args.mode:
        K.set_mode(args.mode)
    rng = np.random.RandomState(0)
    start = time.time()
    print('mode %s; rss at start %.0f MB' % (K.mode() or 'default', rss_mb()), flush=True)
    for i in range(args.models):
        one_model(i, rng, args.width)
        if args.clear_jax_caches and 'jax' in sys.modules:
            sys.modules['jax'].clear_caches()
        if (i + 1) % args.every == 0:
            gc.collect()
            print('%3d models  rss %6.0f MB  %5.1f s' % (i + 1, rss_mb(), time.time() - start),
                  flush=True)


if __name__ == '__main__':
    main()
