"""The Keras 1 guide's "VGG-like convnet", on random data (a few samples, to show it runs).

Keras 1 code from the Sequential-model guide, unchanged except ``keras`` ->
``keraslike`` and the data: random 100x100 RGB images ('th' ordering,
``(3, 100, 100)``) with random labels among 10 classes.

    python examples/vgg_like_convnet.py
"""
from __future__ import print_function

import numpy as np

from keraslike.layers import Activation, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from keraslike.models import Sequential
from keraslike.optimizers import SGD
from keraslike.utils import np_utils

np.random.seed(1337)

# generate dummy data: 100x100 images with 3 channels -> (3, 100, 100) tensors
X_train = np.random.random((64, 3, 100, 100)).astype('float32')
y_train = np_utils.to_categorical(np.random.randint(10, size=(64, 1)), 10)
X_test = np.random.random((16, 3, 100, 100)).astype('float32')
y_test = np_utils.to_categorical(np.random.randint(10, size=(16, 1)), 10)

model = Sequential()
# input: 100x100 images with 3 channels -> (3, 100, 100) tensors.
# this applies 32 convolution filters of size 3x3 each.
model.add(Convolution2D(32, 3, 3, border_mode='valid', input_shape=(3, 100, 100)))
model.add(Activation('relu'))
model.add(Convolution2D(32, 3, 3))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))

model.add(Convolution2D(64, 3, 3, border_mode='valid'))
model.add(Activation('relu'))
model.add(Convolution2D(64, 3, 3))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))

model.add(Flatten())
# Note: Keras does automatic shape inference.
model.add(Dense(256))
model.add(Activation('relu'))
model.add(Dropout(0.5))

model.add(Dense(10))
model.add(Activation('softmax'))

model.summary()

sgd = SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy', optimizer=sgd)

model.fit(X_train, y_train, batch_size=32, nb_epoch=1)
score = model.evaluate(X_test, y_test, batch_size=16)
print('Test loss:', score)
