"""The models whose build time bench_build.py and keras1_theano_build.py measure.

Written in the Keras 1.2.2 functional API and kept Python 3.7 compatible, so
that the very same code builds in keraslike (``bench_build.py``) and in real
Keras 1.2.2 on Theano (``keras1_theano_build.py``): each builder takes the
framework's ``layers`` module (``keras.layers`` or ``keraslike.layers``).
All models use 'th' ordering.
"""
import time

BLOCK_DEPTHS = (6, 12, 24, 48)
DENSENET_BLOCKS = (6, 12, 24, 16)   # DenseNet-121
GROWTH = 32


def padded_conv_stack(L, nb_blocks, channels=4, size=16):
    """``nb_blocks`` of ZeroPadding2D + 3x3 Convolution2D + concat (the issue's example)."""
    inp = L.Input(shape=(channels, size, size))
    x = inp
    for _ in range(nb_blocks):
        y = L.ZeroPadding2D((1, 1), dim_ordering='th')(x)
        y = L.Convolution2D(channels, 3, 3, dim_ordering='th')(y)
        x = L.merge([x, y], mode='concat', concat_axis=1)
    return inp, x


def _bn_relu(L, x):
    x = L.BatchNormalization(axis=1, epsilon=1.1e-5)(x)
    return L.Activation('relu')(x)


def _conv_block(L, x, growth):
    """BN, relu, 1x1 conv (4 * growth), BN, relu, ZeroPadding2D + 3x3 conv (growth)."""
    y = _bn_relu(L, x)
    y = L.Convolution2D(4 * growth, 1, 1, bias=False, dim_ordering='th')(y)
    y = _bn_relu(L, y)
    y = L.ZeroPadding2D((1, 1), dim_ordering='th')(y)
    return L.Convolution2D(growth, 3, 3, bias=False, dim_ordering='th')(y)


def _transition(L, x, nb_filter):
    x = _bn_relu(L, x)
    x = L.Convolution2D(nb_filter, 1, 1, bias=False, dim_ordering='th')(x)
    return L.AveragePooling2D((2, 2), strides=(2, 2), dim_ordering='th')(x)


def densenet121(L, size=224, nb_classes=1000, blocks=DENSENET_BLOCKS, growth=GROWTH):
    """DenseNet-121 (Huang et al. 2017) as Keras 1 code wrote it: dense blocks of
    concatenated conv blocks, transitions halving the channels (compression 0.5)."""
    inp = L.Input(shape=(3, size, size))
    x = L.ZeroPadding2D((3, 3), dim_ordering='th')(inp)
    x = L.Convolution2D(2 * growth, 7, 7, subsample=(2, 2), bias=False, dim_ordering='th')(x)
    x = _bn_relu(L, x)
    x = L.ZeroPadding2D((1, 1), dim_ordering='th')(x)
    x = L.MaxPooling2D((3, 3), strides=(2, 2), dim_ordering='th')(x)
    nb_filter = 2 * growth
    for i, nb_layers in enumerate(blocks):
        for _ in range(nb_layers):
            y = _conv_block(L, x, growth)
            x = L.merge([x, y], mode='concat', concat_axis=1)
            nb_filter += growth
        if i < len(blocks) - 1:
            nb_filter //= 2
            x = _transition(L, x, nb_filter)
    x = _bn_relu(L, x)
    x = L.GlobalAveragePooling2D(dim_ordering='th')(x)
    return inp, L.Dense(nb_classes, activation='softmax')(x)


def timed_build(L, Model, builder, *args):
    """(seconds to build the layers, seconds for Model(), the model) for one build."""
    t0 = time.perf_counter()
    inp, out = builder(L, *args)
    t1 = time.perf_counter()
    model = Model(input=inp, output=out)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, model


def cases():
    """(name, builder, args) of every build measured, in table order."""
    rows = [('pad+conv+concat x%d' % n, padded_conv_stack, (n,)) for n in BLOCK_DEPTHS]
    rows.append(('DenseNet-121 224x224', densenet121, ()))
    return rows
