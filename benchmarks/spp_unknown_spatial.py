"""First ``fit`` of a fully convolutional net with spatial pyramid pooling (unknown image sizes).

The model takes ``input_shape=(3, None, None)``: two 3x3 convolutions, 2x2 max
pooling, then a user-written Keras 1 layer that slices its input with
``K.shape(x)`` into a 1x1, 2x2 and 4x4 grid and max-pools each cell
(spatial pyramid pooling), then Dense + softmax. It trains one epoch on
32x32 images, then one on 40x40 images, and prints the seconds of each
first ``fit`` (compiles included).

Runs under keraslike (default) or real Keras 1.2.2 on Theano (``--keras``),
so it stays Python 3.7 compatible; for Keras 1.2.2 see the venv recipe in
``keras1_theano_cnn.py``::

    python benchmarks/spp_unknown_spatial.py
    KERAS_BACKEND=theano THEANO_FLAGS=blas.ldflags=-lopenblas,openmp=True \
        .venv-keras1/bin/python benchmarks/spp_unknown_spatial.py --keras
"""
import sys
import time

import numpy as np


def build(keras_name):
    t0 = time.time()
    if keras_name == 'keras':
        import theano.ifelse  # noqa: F401  (Keras 1.2.2 calls theano.ifelse without importing it)
    kr = __import__(keras_name)
    __import__(keras_name + '.layers')
    __import__(keras_name + '.models')
    K = kr.backend
    layers = sys.modules[keras_name + '.layers']
    models = sys.modules[keras_name + '.models']
    K.set_image_dim_ordering('th')

    class SpatialPyramidPooling(layers.Layer):
        """Max over an n x n grid of cells for each level n (Keras 1 'th' ordering)."""

        def __init__(self, levels, **kwargs):
            self.levels = tuple(levels)
            super(SpatialPyramidPooling, self).__init__(**kwargs)

        def build(self, input_shape):
            self.channels = input_shape[1]

        def get_output_shape_for(self, input_shape):
            return (input_shape[0], self.channels * sum(n * n for n in self.levels))

        def call(self, x, mask=None):
            rows, cols = K.shape(x)[2], K.shape(x)[3]
            outs = []
            for n in self.levels:
                row_len = K.cast(rows, 'float32') / n
                col_len = K.cast(cols, 'float32') / n
                for i in range(n):
                    for j in range(n):
                        r0 = K.cast(row_len * i, 'int32')
                        r1 = K.cast(row_len * (i + 1), 'int32')
                        c0 = K.cast(col_len * j, 'int32')
                        c1 = K.cast(col_len * (j + 1), 'int32')
                        outs.append(K.max(x[:, :, r0:r1, c0:c1], axis=(2, 3)))
            return K.concatenate(outs, axis=1)

    model = models.Sequential([
        layers.Convolution2D(8, 3, 3, input_shape=(3, None, None), activation='relu'),
        layers.Convolution2D(8, 3, 3, activation='relu'),
        layers.MaxPooling2D(pool_size=(2, 2)),
        SpatialPyramidPooling((1, 2, 4)),
        layers.Dense(10, activation='softmax')])
    model.compile(loss='categorical_crossentropy', optimizer='sgd')
    return model, time.time() - t0


def main():
    name = 'keras' if '--keras' in sys.argv else 'keraslike'
    model, build_s = build(name)
    rng = np.random.RandomState(0)
    report = ['%s spp: build+compile %.1f s' % (name, build_s)]
    for size in (32, 40):
        x = rng.rand(256, 3, size, size).astype('float32')
        y = np.eye(10, dtype='float32')[rng.randint(0, 10, len(x))]
        t0 = time.time()
        hist = model.fit(x, y, batch_size=32, nb_epoch=1, verbose=0)
        report.append('first fit %dx%d %.1f s (loss %.3f)'
                      % (size, size, time.time() - t0, hist.history['loss'][-1]))
    fn = getattr(getattr(model, 'model', model), 'train_function', None)
    if hasattr(fn, 'mode'):   # keraslike: which execution mode trained, and why
        report.append('mode %s (%s)' % (fn.mode, getattr(fn, 'fallback_reason', None)))
    print(', '.join(report))


if __name__ == '__main__':
    main()
