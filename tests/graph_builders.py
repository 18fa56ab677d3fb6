"""Keras 1 functional graphs where a layer is reached by several paths.

Each builder takes the Keras 1 ``layers`` module (keraslike's, or real Keras
1.2.2's in ``tests/tools/keras1_graph_orders.py``) and returns ``(input,
output)``; every layer is named, so the layer order can be compared across
processes. Python 3.7 compatible, 'th' image ordering.
"""


class Namer(object):
    def __init__(self):
        self.count = 0

    def __call__(self, kind):
        self.count += 1
        return '%s%d' % (kind, self.count)


def diamond(L):
    """The issue's example: a Dense output reached directly and through two more Denses."""
    n = Namer()
    inp = L.Input(shape=(4,), name='in')
    a = L.Dense(4, name=n('d'))(inp)
    c = L.Dense(4, name='outer')(L.Dense(4, name='inner')(a))
    return inp, L.merge([a, c], mode='sum', name='sum')


def residual(L, blocks=2, filters=4):
    """ResNet-style blocks: conv-BN-relu-conv, then merge([shortcut, x], mode='sum')."""
    n = Namer()
    inp = L.Input(shape=(1, 8, 8), name='in')
    x = L.Convolution2D(filters, 3, 3, border_mode='same', name=n('conv'))(inp)
    for _ in range(blocks):
        shortcut = x
        y = L.Convolution2D(filters, 3, 3, border_mode='same', name=n('conv'))(x)
        y = L.BatchNormalization(axis=1, name=n('bn'))(y)
        y = L.Activation('relu', name=n('relu'))(y)
        y = L.Convolution2D(filters, 3, 3, border_mode='same', name=n('conv'))(y)
        x = L.merge([shortcut, y], mode='sum', name=n('add'))
        x = L.Activation('relu', name=n('relu'))(x)
    x = L.Flatten(name=n('flat'))(x)
    return inp, L.Dense(10, activation='softmax', name=n('dense'))(x)


def dense_block(L, layers=3, growth=2):
    """DenseNet-style block: each conv sees the concatenation of every earlier feature map."""
    n = Namer()
    inp = L.Input(shape=(1, 8, 8), name='in')
    x = L.Convolution2D(4, 3, 3, border_mode='same', name=n('conv'))(inp)
    features = [x]
    for _ in range(layers):
        # momentum 0.9: the running averages settle within the few batches a test trains
        y = L.BatchNormalization(axis=1, momentum=0.9, name=n('bn'))(x)
        y = L.Activation('relu', name=n('relu'))(y)
        y = L.Convolution2D(growth, 3, 3, border_mode='same', name=n('conv'))(y)
        features.append(y)
        x = L.merge(features, mode='concat', concat_axis=1, name=n('concat'))
    x = L.Convolution2D(4, 1, 1, name=n('conv'))(x)
    x = L.AveragePooling2D((2, 2), name=n('pool'))(x)
    x = L.Flatten(name=n('flat'))(x)
    return inp, L.Dense(10, activation='softmax', name=n('dense'))(x)


def unet(L):
    """A two-level U-Net: the upsampled path concatenated with the skip connection."""
    n = Namer()
    inp = L.Input(shape=(1, 8, 8), name='in')
    c1 = L.Convolution2D(4, 3, 3, border_mode='same', activation='relu', name=n('conv'))(inp)
    c1 = L.Convolution2D(4, 3, 3, border_mode='same', activation='relu', name=n('conv'))(c1)
    p1 = L.MaxPooling2D((2, 2), name=n('pool'))(c1)
    c2 = L.Convolution2D(8, 3, 3, border_mode='same', activation='relu', name=n('conv'))(p1)
    up = L.merge([L.UpSampling2D((2, 2), name=n('up'))(c2), c1], mode='concat',
                 concat_axis=1, name=n('concat'))
    c3 = L.Convolution2D(4, 3, 3, border_mode='same', activation='relu', name=n('conv'))(up)
    return inp, L.Convolution2D(1, 1, 1, activation='sigmoid', name=n('conv'))(c3)


def shared_paths(L):
    """A shared Dense applied on a short and a long path, then both merged."""
    inp = L.Input(shape=(3,), name='in')
    shared = L.Dense(3, name='shared')
    short = shared(inp)
    long_path = shared(L.Dense(3, name='pre')(L.Dense(3, name='prepre')(inp)))
    mid = L.Dense(3, name='mid')(short)
    return inp, L.merge([mid, long_path, short], mode='concat', name='cat')


BUILDERS = {'diamond': diamond, 'residual': residual, 'dense_block': dense_block,
            'unet': unet, 'shared_paths': shared_paths}
