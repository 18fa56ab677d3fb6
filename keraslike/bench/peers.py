"""The same workloads in the peers: Keras 3 (JAX or PyTorch backend) and plain PyTorch.

Each builder copies the keraslike model of ``workloads.py`` layer for layer,
with Keras 1's optimizer settings (RMSprop lr 1e-3, rho 0.9, eps 1e-8;
Adadelta lr 1.0, rho 0.95; Adam lr 1e-3). Keras 3 gets its preferred
channels-last images; PyTorch its NCHW ones. The PyTorch loop is what a
careful user writes: shuffled index batches, ``zero_grad(set_to_none=True)``,
the loss and accuracy read back every batch as Keras does for its logs.

These functions import keras or torch; they run only inside a benchmark
subprocess (``runner.py``), under ``--peer-python`` when given.
"""
import time


# ------------------------------------------------------------------ Keras 3
def build_keras3(name):
    """The workload's model in Keras 3 (backend from ``KERAS_BACKEND``), compiled."""
    import keras
    from keras import layers as L
    if name == 'mlp':
        model = keras.Sequential([keras.Input((784,)), L.Dense(512, activation='relu'),
                                  L.Dropout(0.2), L.Dense(512, activation='relu'),
                                  L.Dropout(0.2), L.Dense(10, activation='softmax')])
        opt = keras.optimizers.RMSprop(learning_rate=1e-3, rho=0.9, epsilon=1e-8)
        loss = 'categorical_crossentropy'
    elif name == 'cnn':
        model = keras.Sequential([
            keras.Input((28, 28, 1)), L.Conv2D(32, 3, activation='relu'),
            L.Conv2D(32, 3, activation='relu'), L.MaxPooling2D(2), L.Dropout(0.25), L.Flatten(),
            L.Dense(128, activation='relu'), L.Dropout(0.5), L.Dense(10, activation='softmax')])
        opt = keras.optimizers.Adadelta(learning_rate=1.0, rho=0.95, epsilon=1e-8)
        loss = 'categorical_crossentropy'
    elif name == 'imdb_lstm':
        model = keras.Sequential([keras.Input((80,), dtype='int32'), L.Embedding(20000, 128),
                                  L.LSTM(128), L.Dense(1, activation='sigmoid')])
        opt = keras.optimizers.Adam(learning_rate=1e-3, epsilon=1e-8)
        loss = 'binary_crossentropy'
    elif name == 'stacked_lstm':
        model = keras.Sequential([keras.Input((8, 16)), L.LSTM(32, return_sequences=True),
                                  L.LSTM(32, return_sequences=True), L.LSTM(32),
                                  L.Dense(10, activation='softmax')])
        opt = keras.optimizers.RMSprop(learning_rate=1e-3, rho=0.9, epsilon=1e-8)
        loss = 'categorical_crossentropy'
    else:
        raise ValueError('Unknown workload %r' % (name,))
    model.compile(optimizer=opt, loss=loss, metrics=['accuracy'])
    return model


def keras3_inputs(name, x):
    """Keras 3 takes images channels-last."""
    return x.transpose(0, 2, 3, 1).copy() if name == 'cnn' else x


def keras3_timer(recorder):
    """A Keras 3 callback feeding ``recorder`` (see ``runner.EpochRecorder``)."""
    import keras

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            recorder.epoch_begin()

        def on_train_batch_end(self, batch, logs=None):
            recorder.batch_end()

        def on_epoch_end(self, epoch, logs=None):
            recorder.epoch_end()
    return Timer()


# ------------------------------------------------------------------ PyTorch
def build_torch(name):
    """(model, optimizer, loss function) for the workload in plain PyTorch."""
    import torch
    from torch import nn

    class LastStep(nn.Module):
        """An LSTM stack whose last time step feeds a linear head."""

        def __init__(self, embed, lstm, head):
            super().__init__()
            self.embed, self.lstm, self.head = embed, lstm, head

        def forward(self, x):
            if self.embed is not None:
                x = self.embed(x)
            out, _ = self.lstm(x)
            return self.head(out[:, -1])

    if name == 'mlp':
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 512),
                              nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 10))
        opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-8)
        loss = nn.CrossEntropyLoss()
    elif name == 'cnn':
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                              nn.Linear(32 * 12 * 12, 128), nn.ReLU(), nn.Dropout(0.5),
                              nn.Linear(128, 10))
        opt = torch.optim.Adadelta(model.parameters(), lr=1.0, rho=0.95, eps=1e-8)
        loss = nn.CrossEntropyLoss()
    elif name == 'imdb_lstm':
        model = LastStep(nn.Embedding(20000, 128), nn.LSTM(128, 128, batch_first=True),
                         nn.Linear(128, 1))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
        loss = nn.BCEWithLogitsLoss()
    elif name == 'stacked_lstm':
        model = LastStep(None, nn.LSTM(16, 32, num_layers=3, batch_first=True),
                         nn.Linear(32, 10))
        opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-8)
        loss = nn.CrossEntropyLoss()
    else:
        raise ValueError('Unknown workload %r' % (name,))
    return model, opt, loss


def torch_tensors(name, x, y, labels):
    """Inputs and targets as PyTorch wants them: int64 ids, class indices or float 0/1."""
    import torch
    xt = torch.from_numpy(x.astype('int64') if name == 'imdb_lstm' else x)
    yt = torch.from_numpy(y) if name == 'imdb_lstm' else torch.from_numpy(labels.astype('int64'))
    return xt, yt


def torch_fit(model, opt, loss_fn, xt, yt, batch_size, epochs, recorder, binary=False):
    """Shuffled mini-batch training; ``recorder`` gets the epoch and first-batch times."""
    import torch
    n = xt.shape[0]
    model.train()
    for _ in range(epochs):
        recorder.epoch_begin()
        perm = torch.randperm(n)
        for start in range(0, n, batch_size):
            idx = perm[start:start + batch_size]
            xb, yb = xt[idx], yt[idx]
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            with torch.no_grad():
                if binary:
                    acc = ((out > 0).float() == yb).float().mean()
                else:
                    acc = (out.argmax(1) == yb).float().mean()
            loss.item(), acc.item()   # Keras reads both back for its logs
            recorder.batch_end()
        recorder.epoch_end()


def torch_predict(model, xt, batch_size, binary=False):
    """Batched inference (eval mode, no autograd); returns seconds taken."""
    import torch
    model.eval()
    t = time.perf_counter()
    with torch.inference_mode():
        outs = []
        for start in range(0, xt.shape[0], batch_size):
            out = model(xt[start:start + batch_size])
            outs.append(torch.sigmoid(out) if binary else torch.softmax(out, 1))
        torch.cat(outs).numpy()
    elapsed = time.perf_counter() - t
    model.train()
    return elapsed
