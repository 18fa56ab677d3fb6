"""Run under mpirun (or alone): train a small MLP data-parallel and save each rank's results.

Usage: python train_replicas.py OUT_DIR [distributed|plain] [fail-rank]
"""
import os
import sys

import numpy as np

from keraslike.layers import Dense, Dropout
from keraslike.models import Sequential
from keraslike.optimizers import SGD, Adam

out_dir, how = sys.argv[1], sys.argv[2]
fail_rank = int(sys.argv[3]) if len(sys.argv) > 3 else None

np.random.seed(123)
X = np.random.rand(96, 6).astype('float32')
Y = np.random.rand(96, 3).astype('float32')
model = Sequential([Dense(16, input_dim=6, activation='tanh'), Dropout(0.0), Dense(3)])
optimizer = Adam(lr=0.01, clipnorm=1.0)
rank = 0
if how == 'distributed':
    from keraslike import distributed
    rank = distributed.rank()
    if rank != 0:
        # other ranks start from different weights: the broadcast must overwrite them
        model.set_weights([w + 1. for w in model.get_weights()])
    optimizer = distributed.DistributedOptimizer(optimizer)
model.compile(optimizer, 'mse', metrics=['mae'])
if fail_rank is not None and rank == fail_rank:
    raise RuntimeError('rank %d fails on purpose' % rank)
history = model.fit(X, Y, batch_size=32, nb_epoch=3, shuffle=True, verbose=0,
                    validation_data=(X[:40], Y[:40]))
np.savez(os.path.join(out_dir, 'rank%d.npz' % rank), *model.get_weights(),
         loss=np.array(history.history['loss']), val_mae=np.array(history.history['val_mean_absolute_error']),
         evaluate=np.array(model.evaluate(X, Y, verbose=0)))
