"""A model's first training batch with empty compile caches, under cProfile (issue 17).

Builds a workload of ``python -m keraslike.bench`` in a process whose
PyTensor, Numba and JAX caches point into a fresh temporary folder, trains
one batch in the default mode and prints where the time went (cumulative)::

    python benchmarks/profile_cold_compile.py stacked_lstm
"""
import os
import pstats
import subprocess
import sys
import tempfile

CHILD = """
import time
from keraslike.bench.workloads import WORKLOADS, build_keraslike
name = %r
w = WORKLOADS[name]
x, y, _ = w.data(w.batch_size)
t = time.time()
model = build_keraslike(name)
model.fit(x, y, batch_size=w.batch_size, nb_epoch=1, verbose=0)
f = model.model.train_function
print('%%s: build and first batch %%.1f s in %%s mode' %% (name, time.time() - t, f.mode))
"""


def main(name='stacked_lstm'):
    with tempfile.TemporaryDirectory() as root:
        env = dict(os.environ, PYTENSOR_FLAGS='base_compiledir=' + os.path.join(root, 'pt'),
                   NUMBA_CACHE_DIR=os.path.join(root, 'numba'),
                   KERASLIKE_JAX_CACHE=os.path.join(root, 'jax'))
        stats = os.path.join(root, 'cold.prof')
        script = os.path.join(root, 'child.py')
        with open(script, 'w') as f:
            f.write(CHILD % name)
        subprocess.run([sys.executable, '-m', 'cProfile', '-o', stats, script], env=env,
                       check=True)
        pstats.Stats(stats).sort_stats('cumulative').print_stats(30)


if __name__ == '__main__':
    main(*sys.argv[1:])
