"""Where the mlp workload's training step goes in JAX mode (issue 17's profile).

Times ``train_on_batch`` per batch of 128 (best of 3 x 40 steps) for the
workload's model with and without dropout, with RMSprop and with SGD, the
forward pass alone, and the step's eight matrix products in NumPy, which is
the BLAS bound the bench's roofline line refers to::

    python benchmarks/profile_mlp_step.py
"""
import os, time, sys
os.environ['KERASLIKE_MODE'] = 'JAX'
import numpy as np
from keraslike.models import Sequential
from keraslike import layers as L, optimizers
rng = np.random.default_rng(0)
x = rng.random((128 * 40, 784), dtype=np.float32); y = np.eye(10, dtype='float32')[rng.integers(0, 10, len(x))]

def build(dropout=True, opt='rmsprop'):
    layers = [L.Dense(512, input_shape=(784,)), L.Activation('relu')] + ([L.Dropout(0.2)] if dropout else []) + \
             [L.Dense(512), L.Activation('relu')] + ([L.Dropout(0.2)] if dropout else []) + [L.Dense(10), L.Activation('softmax')]
    m = Sequential(layers); m.compile(loss='categorical_crossentropy', optimizer=opt, metrics=['accuracy'])
    return m

def per_batch(fn, reps=3):
    best = 1e9
    for _ in range(reps):
        t = time.perf_counter()
        for i in range(40):
            fn(i)
        best = min(best, (time.perf_counter() - t) / 40)
    return best * 1e3

for label, kw in (('RMSprop + dropout (the workload)', {}), ('RMSprop, no dropout', {'dropout': False}),
                  ('SGD + dropout', {'opt': 'sgd'}), ('SGD, no dropout', {'dropout': False, 'opt': 'sgd'})):
    m = build(**kw)
    m.train_on_batch(x[:128], y[:128])
    ms = per_batch(lambda i: m.train_on_batch(x[i*128:(i+1)*128], y[i*128:(i+1)*128]))
    print('%-34s train step %.2f ms' % (label, ms))
m = build()
m.predict_on_batch(x[:128])
print('%-34s predict batch %.2f ms' % ('forward only', per_batch(lambda i: m.predict_on_batch(x[i*128:(i+1)*128]))))
a = x[:128]; w1 = rng.random((784, 512), dtype=np.float32); w2 = rng.random((512, 512), dtype=np.float32); w3 = rng.random((512, 10), dtype=np.float32)
def gemms(i):
    # the step's products: forward 3, weight gradients 3, input gradients 2
    h1 = a @ w1; h2 = h1 @ w2; o = h2 @ w3
    a.T @ h1; h1.T @ h2; h2.T @ o; o @ w3.T; h2 @ w2.T
print('%-34s %.2f ms' % ('NumPy: the 8 GEMMs of one step', per_batch(gemms)))
