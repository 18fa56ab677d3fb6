"""Build time (layers + Model(), no compile) in real Keras 1.2.2 on Theano, beside bench_build.py.

Builds the models of ``build_models.py`` (the same source keraslike's
``bench_build.py`` builds): 6/12/24/48 blocks of ZeroPadding2D + 3x3
Convolution2D + concat, and DenseNet-121 at 224x224, 'th' ordering.

Theano 1.0 does not run on keraslike's NumPy 2 / Python 3.11+ stack, so this
script runs under an old interpreter of its own, e.g. (Python 3.7)::

    python3.7 -m venv .venv-keras1
    .venv-keras1/bin/pip install numpy==1.16.6 scipy==1.2.3 six pyyaml
    .venv-keras1/bin/pip install --no-deps theano==1.0.5 keras==1.2.2
    KERAS_BACKEND=theano .venv-keras1/bin/python benchmarks/keras1_theano_build.py

Each build runs in a fresh process (``--one NAME``), as the first model a
script builds, so every framework pays the same one-time costs. Prints one
line per build: ``keras-1.2.2-theano <name>: layers X s, Model() Y s``.
Keep it Python 3.7 compatible.
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import build_models  # noqa: E402


def _one(name, repeat=2):
    t0 = time.perf_counter()
    import theano.ifelse  # noqa: F401  (Keras 1.2.2 calls theano.ifelse without importing it)
    from keras import layers as L
    from keras.models import Model
    from keras import backend as K
    K.set_image_dim_ordering('th')
    import_s = time.perf_counter() - t0
    for case, builder, args in build_models.cases():
        if case == name:
            runs = [build_models.timed_build(L, Model, builder, *args) for _ in range(repeat)]
            print('keras-1.2.2-theano %s: import %.2f s, layers %.2f s, Model() %.2f s, '
                  'again in the same process: layers %.2f s, Model() %.2f s; %d params'
                  % (case, import_s, runs[0][0], runs[0][1], runs[-1][0], runs[-1][1],
                     runs[0][2].count_params()))
            return
    raise SystemExit('unknown build %r' % name)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--one':
        _one(sys.argv[2])
        return
    env = dict(os.environ, KERAS_BACKEND='theano')
    for name, _, _ in build_models.cases():
        out = subprocess.check_output([sys.executable, os.path.abspath(__file__), '--one', name],
                                      env=env, stderr=subprocess.STDOUT)
        lines = [l for l in out.decode().splitlines() if l.startswith('keras-1.2.2-theano')]
        print(lines[-1] if lines else out.decode()[-2000:])
        sys.stdout.flush()


if __name__ == '__main__':
    main()
