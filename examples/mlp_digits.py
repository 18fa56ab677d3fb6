"""Flagship example: an MLP on the handwritten digits that scikit-learn ships (offline, real data).

Keras 1 code, unchanged except ``keras`` -> ``keraslike``. Prints Keras-style
progress and the test accuracy (about 97%).

    python examples/mlp_digits.py
"""
from __future__ import print_function

import numpy as np

from keraslike.datasets import digits
from keraslike.layers import Activation, Dense, Dropout
from keraslike.models import Sequential
from keraslike.optimizers import RMSprop
from keraslike.utils import np_utils

np.random.seed(1337)  # for reproducibility

batch_size = 32
nb_classes = 10
nb_epoch = 20

(X_train, y_train), (X_test, y_test) = digits.load_data()
print(X_train.shape[0], 'train samples')
print(X_test.shape[0], 'test samples')

Y_train = np_utils.to_categorical(y_train, nb_classes)
Y_test = np_utils.to_categorical(y_test, nb_classes)

model = Sequential()
model.add(Dense(256, input_shape=(64,)))
model.add(Activation('relu'))
model.add(Dropout(0.2))
model.add(Dense(256))
model.add(Activation('relu'))
model.add(Dropout(0.2))
model.add(Dense(nb_classes))
model.add(Activation('softmax'))

model.summary()

model.compile(loss='categorical_crossentropy',
              optimizer=RMSprop(),
              metrics=['accuracy'])

history = model.fit(X_train, Y_train,
                    batch_size=batch_size, nb_epoch=nb_epoch,
                    verbose=1, validation_data=(X_test, Y_test))
score = model.evaluate(X_test, Y_test, verbose=0)
print('Test score:', score[0])
print('Test accuracy:', score[1])
