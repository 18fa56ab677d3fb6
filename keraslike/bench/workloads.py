"""The standard workloads, named after the Keras 1 examples they copy.

Each workload fixes a model, an optimizer, a batch size and the shape of its
synthetic float32 data (the speed does not depend on the values). The
keraslike builders use the Keras 1 API; the peers (``peers.py``) build the
same model in Keras 3 and in PyTorch.

>>> from keraslike.bench.workloads import WORKLOADS, mlp_flops_per_sample
>>> WORKLOADS['mlp'].batch_size
128
>>> round(mlp_flops_per_sample() / 1e6, 2)   # forward + backward, MFLOP
3.21
"""
import numpy as np

# layer sizes of mnist_mlp.py
MLP_SIZES = (784, 512, 512, 10)


class Workload(object):
    """One benchmark model: its name, data shapes, batch size and sample counts."""

    def __init__(self, name, example, batch_size, x_shape, x_dtype, n_classes, n_full, n_quick,
                 layers, description):
        self.name = name
        self.example = example          # the Keras 1 example it copies
        self.batch_size = batch_size
        self.x_shape = x_shape          # one sample, Keras 1 'th' ordering
        self.x_dtype = x_dtype
        self.n_classes = n_classes      # 1: binary target
        self.n_full = n_full
        self.n_quick = n_quick
        self.layers = layers            # keraslike.layers names it needs
        self.description = description

    def samples(self, quick):
        return self.n_quick if quick else self.n_full

    def data(self, n, seed=1337):
        """Synthetic inputs and one-hot (or 0/1) float32 targets for ``n`` samples."""
        # drawn directly in their dtypes: no float64 temporary inflates the peak memory
        rng = np.random.default_rng(seed)
        if self.x_dtype == 'int32':
            x = rng.integers(1, 20000, size=(n,) + self.x_shape, dtype=np.int32)
        else:
            x = rng.random((n,) + self.x_shape, dtype=np.float32)
        labels = rng.integers(0, max(self.n_classes, 2), size=n)
        if self.n_classes == 1:
            y = labels.astype('float32').reshape(n, 1)
        else:
            y = np.eye(self.n_classes, dtype='float32')[labels]
        return x, y, labels

    def available(self):
        """(True, '') when keraslike has the layers this workload needs, else (False, why)."""
        import keraslike.layers as layers
        missing = [name for name in self.layers if not hasattr(layers, name)]
        if missing:
            return False, 'keraslike.layers lacks ' + ', '.join(missing)
        return True, ''


WORKLOADS = {
    'mlp': Workload('mlp', 'mnist_mlp.py', 128, (784,), 'float32', 10, 60000, 1280,
                    ('Dense', 'Dropout'),
                    'Dense 512 relu, Dropout 0.2, Dense 512 relu, Dropout 0.2, Dense 10 '
                    'softmax; RMSprop'),
    'cnn': Workload('cnn', 'mnist_cnn.py', 128, (1, 28, 28), 'float32', 10, 6400, 256,
                    ('Convolution2D', 'MaxPooling2D'),
                    'Conv 32 3x3 relu, Conv 32 3x3 relu, MaxPool 2, Dropout 0.25, Dense 128 '
                    'relu, Dropout 0.5, Dense 10 softmax; Adadelta'),
    'imdb_lstm': Workload('imdb_lstm', 'imdb_lstm.py', 32, (80,), 'int32', 1, 6400, 320,
                          ('Embedding', 'LSTM'),
                          'Embedding 20000x128, LSTM 128, Dense 1 sigmoid; Adam; maxlen 80'),
    'stacked_lstm': Workload('stacked_lstm', 'guide: stacked LSTM', 64, (8, 16), 'float32', 10,
                             12800, 2560, ('LSTM',),
                             'LSTM 32 x3 (return_sequences), Dense 10 softmax; RMSprop; '
                             'timesteps 8, dim 16'),
}
ORDER = ('mlp', 'cnn', 'imdb_lstm', 'stacked_lstm')


def mlp_flops_per_sample(sizes=MLP_SIZES):
    """Multiply-adds x2 of one forward + backward pass of the MLP, per sample.

    Forward: ``2*n_in*n_out`` per layer. Backward: the same again for each
    weight gradient, and for each input gradient except the first layer's
    (nothing needs the gradient of the data). That is 3x the forward FLOPs
    minus the first layer's input gradient: 3.21 MFLOP for 784-512-512-10.
    Bias, activation, dropout and optimizer work is O(n) and left out.
    """
    pairs = list(zip(sizes[:-1], sizes[1:]))
    forward = sum(2 * a * b for a, b in pairs)
    first_input_grad = 2 * pairs[0][0] * pairs[0][1]
    return 3 * forward - first_input_grad


def build_keraslike(name, mode=None):
    """The workload's model in keraslike (Keras 1 API), compiled; ``mode`` is an execution mode."""
    from keraslike import backend as K
    from keraslike import layers as L
    from keraslike import optimizers
    from keraslike.models import Sequential
    kwargs = {'mode': mode} if mode else {}
    if name == 'mlp':
        model = Sequential([L.Dense(512, input_shape=(784,)), L.Activation('relu'),
                            L.Dropout(0.2), L.Dense(512), L.Activation('relu'), L.Dropout(0.2),
                            L.Dense(10), L.Activation('softmax')])
        model.compile(loss='categorical_crossentropy', optimizer=optimizers.RMSprop(),
                      metrics=['accuracy'], **kwargs)
    elif name == 'cnn':
        K.set_image_dim_ordering('th')
        model = Sequential([
            L.Convolution2D(32, 3, 3, border_mode='valid', input_shape=(1, 28, 28)),
            L.Activation('relu'), L.Convolution2D(32, 3, 3), L.Activation('relu'),
            L.MaxPooling2D(pool_size=(2, 2)), L.Dropout(0.25), L.Flatten(), L.Dense(128),
            L.Activation('relu'), L.Dropout(0.5), L.Dense(10), L.Activation('softmax')])
        model.compile(loss='categorical_crossentropy', optimizer='adadelta',
                      metrics=['accuracy'], **kwargs)
    elif name == 'imdb_lstm':
        model = Sequential([L.Embedding(20000, 128, input_length=80), L.LSTM(128),
                            L.Dense(1), L.Activation('sigmoid')])
        model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'],
                      **kwargs)
    elif name == 'stacked_lstm':
        model = Sequential([L.LSTM(32, return_sequences=True, input_shape=(8, 16)),
                            L.LSTM(32, return_sequences=True), L.LSTM(32),
                            L.Dense(10, activation='softmax')])
        model.compile(loss='categorical_crossentropy', optimizer='rmsprop',
                      metrics=['accuracy'], **kwargs)
    else:
        raise ValueError('Unknown workload %r; expected one of %s.' % (name, ', '.join(ORDER)))
    return model
