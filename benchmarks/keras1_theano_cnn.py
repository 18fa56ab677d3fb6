"""The bench's ``cnn`` workload in real Keras 1.2.2 on Theano, for the issue's "no worse than Theano".

Theano 1.0 does not run on keraslike's NumPy 2 / Python 3.11+ stack, so this
script runs under an old interpreter of its own, e.g. (Python 3.7)::

    python3.7 -m venv .venv-keras1
    .venv-keras1/bin/pip install numpy==1.16.6 scipy==1.2.3 six pyyaml
    .venv-keras1/bin/pip install --no-deps theano==1.0.5 keras==1.2.2
    KERAS_BACKEND=theano OMP_NUM_THREADS=2 THEANO_FLAGS=blas.ldflags=-lopenblas,openmp=True \
        .venv-keras1/bin/python benchmarks/keras1_theano_cnn.py

``openmp=True`` lets Theano's convolution (CorrMM) and element-wise loops use
both cores: measured 642 samples/s on the 2-core EPYC, against 419 without.

It builds the model of ``keraslike/bench/workloads.py`` (mnist_cnn: two 3x3
convolutions, 2x2 max pooling, dropout, Dense 128, Adadelta; 'th' ordering)
and prints what ``python -m keraslike.bench`` reports for a framework:
build+compile seconds, first epoch seconds and steady-state training samples
per second (the median of the later epochs), on random data of the
workload's shapes (6,400 samples, batch 128). Keep it Python 3.7 compatible.
"""
import time

import numpy as np

SAMPLES, BATCH, EPOCHS = 6400, 128, 4


def main():
    t0 = time.time()
    import theano.ifelse  # noqa: F401  (Keras 1.2.2 calls theano.ifelse without importing it)
    from keras import backend as K
    from keras.layers import Activation, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
    from keras.models import Sequential
    K.set_image_dim_ordering('th')
    model = Sequential([
        Convolution2D(32, 3, 3, border_mode='valid', input_shape=(1, 28, 28)),
        Activation('relu'), Convolution2D(32, 3, 3), Activation('relu'),
        MaxPooling2D(pool_size=(2, 2)), Dropout(0.25), Flatten(), Dense(128),
        Activation('relu'), Dropout(0.5), Dense(10), Activation('softmax')])
    model.compile(loss='categorical_crossentropy', optimizer='adadelta', metrics=['accuracy'])
    rng = np.random.RandomState(0)
    x = rng.rand(SAMPLES, 1, 28, 28).astype('float32')
    y = np.eye(10, dtype='float32')[rng.randint(0, 10, SAMPLES)]
    model.train_on_batch(x[:BATCH], y[:BATCH])     # Keras compiles the train function lazily
    compile_s = time.time() - t0
    epochs = []
    for _ in range(EPOCHS):
        t1 = time.time()
        model.fit(x, y, batch_size=BATCH, nb_epoch=1, verbose=0)
        epochs.append(time.time() - t1)
    steady = SAMPLES / float(np.median(epochs[1:]))
    print('keras-1.2.2-theano cnn: build+compile %.1f s, first epoch %.1f s, train %.0f samples/s'
          % (compile_s, epochs[0], steady))


if __name__ == '__main__':
    main()
