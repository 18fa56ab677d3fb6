"""Train the digits MLP and draw its training history (loss and accuracy per epoch, train and
validation) to a PNG with matplotlib.

    python examples/plot_history.py [history.png]

Uses the handwritten digits bundled with scikit-learn (no download) and needs
``pip install 'keraslike[visualize]'`` (matplotlib).
"""
from __future__ import print_function

import sys

import numpy as np

from keraslike.callbacks import EarlyStopping
from keraslike.datasets import digits
from keraslike.layers import Activation, Dense, Dropout
from keraslike.models import Sequential
from keraslike.utils import np_utils
from keraslike.utils.history_plot import plot_history

np.random.seed(1337)  # for reproducibility

out_file = sys.argv[1] if len(sys.argv) > 1 else 'history.png'

(X_train, y_train), (X_test, y_test) = digits.load_data()
Y_train = np_utils.to_categorical(y_train, 10)
Y_test = np_utils.to_categorical(y_test, 10)

model = Sequential()
model.add(Dense(64, input_shape=(64,)))
model.add(Activation('relu'))
model.add(Dropout(0.2))
model.add(Dense(10))
model.add(Activation('softmax'))
model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])

history = model.fit(X_train, Y_train, batch_size=32, nb_epoch=30, verbose=2,
                    validation_data=(X_test, Y_test),
                    callbacks=[EarlyStopping(monitor='val_loss', patience=3)])
plot_history(history, to_file=out_file, title='MLP on the bundled digits')
print('Training history written to', out_file)
