"""A small convnet on the handwritten digits that scikit-learn ships (offline, real data).

Keras 1 code (mnist_cnn's structure, scaled to 8x8 images), unchanged except
``keras`` -> ``keraslike``. The images become ``(1, 8, 8)`` 'th' tensors. Prints
Keras-style progress and the test accuracy: about 98-99%, above the MLP of
``mlp_digits.py`` (about 97%).

    python examples/digits_cnn.py
    KERASLIKE_MODE=C python examples/digits_cnn.py      # another execution mode
"""
from __future__ import print_function

import numpy as np

from keraslike.datasets import digits
from keraslike.layers import Activation, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from keraslike.models import Sequential
from keraslike.optimizers import Adadelta
from keraslike.utils import np_utils

np.random.seed(1337)  # for reproducibility

batch_size = 32
nb_classes = 10
nb_epoch = 20
img_rows, img_cols = 8, 8
nb_filters = 32
pool_size = (2, 2)
kernel_size = (3, 3)

(X_train, y_train), (X_test, y_test) = digits.load_data()
X_train = X_train.reshape(X_train.shape[0], 1, img_rows, img_cols)
X_test = X_test.reshape(X_test.shape[0], 1, img_rows, img_cols)
input_shape = (1, img_rows, img_cols)
print('X_train shape:', X_train.shape)
print(X_train.shape[0], 'train samples')
print(X_test.shape[0], 'test samples')

Y_train = np_utils.to_categorical(y_train, nb_classes)
Y_test = np_utils.to_categorical(y_test, nb_classes)

model = Sequential()
model.add(Convolution2D(nb_filters, kernel_size[0], kernel_size[1], border_mode='same',
                        input_shape=input_shape))
model.add(Activation('relu'))
model.add(Convolution2D(nb_filters, kernel_size[0], kernel_size[1]))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=pool_size))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(128))
model.add(Activation('relu'))
model.add(Dropout(0.5))
model.add(Dense(nb_classes))
model.add(Activation('softmax'))

model.summary()

model.compile(loss='categorical_crossentropy', optimizer=Adadelta(), metrics=['accuracy'])

model.fit(X_train, Y_train, batch_size=batch_size, nb_epoch=nb_epoch, verbose=1,
          validation_data=(X_test, Y_test))
score = model.evaluate(X_test, Y_test, verbose=0)
print('Test score:', score[0])
print('Test accuracy:', score[1])
