"""The digits MLP trained data-parallel on several processes with MPI.

    mpirun -n 2 python examples/distributed_digits.py

(as root add --allow-run-as-root; on one small machine add --oversubscribe). Each rank
computes the gradients of its half of every global batch of 64; the gradients are
averaged with one Allreduce per step, so both replicas stay identical. Only rank 0
prints and writes the checkpoint.
"""
from __future__ import print_function

import os
import tempfile

import numpy as np

from keraslike import distributed
from keraslike.callbacks import ModelCheckpoint
from keraslike.datasets import digits
from keraslike.layers import Dense, Dropout
from keraslike.models import Sequential
from keraslike.optimizers import RMSprop
from keraslike.utils.np_utils import to_categorical

np.random.seed(1337)
(X_train, y_train), (X_test, y_test) = digits.load_data()
Y_train, Y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)

model = Sequential([Dense(256, input_dim=64, activation='relu'), Dropout(0.2),
                    Dense(10, activation='softmax')])
model.compile(optimizer=distributed.DistributedOptimizer(RMSprop()),
              loss='categorical_crossentropy', metrics=['accuracy'])
checkpoint = os.path.join(tempfile.gettempdir(), 'distributed_digits.h5')
model.fit(X_train, Y_train, batch_size=64, nb_epoch=10, validation_data=(X_test, Y_test),
          callbacks=[ModelCheckpoint(checkpoint, save_weights_only=True)])
loss, acc = model.evaluate(X_test, Y_test, verbose=0)
if distributed.is_root():
    print('%d ranks, test accuracy: %.4f' % (distributed.size(), acc))
