"""A small residual network on scikit-learn's handwritten digits (offline, real data).

Keras 1 functional-API code in the style of the public Keras 1 ResNets,
unchanged except ``keras`` -> ``keraslike``: each block adds its input back
with ``merge([shortcut, x], mode='sum')``, so the shortcut's layer is reached
by two paths of different lengths (the graph-depth rule of Keras 1.2.2's
``Container`` orders such layers by their longest path). The model is saved
to HDF5, loaded back, and must predict the same. Test accuracy: about 98-99%.

    python examples/digits_resnet.py
"""
from __future__ import print_function

import os
import tempfile

import numpy as np

from keraslike.datasets import digits
from keraslike.layers import (Activation, BatchNormalization, Convolution2D, Dense, Flatten,
                              Input, merge)
from keraslike.models import Model, load_model
from keraslike.optimizers import Adam
from keraslike.utils import np_utils

np.random.seed(1337)  # for reproducibility
# BatchNormalization's running averages with Keras' default momentum=0.99 lag behind
# the weights over the 45 batches of an epoch of digits: the test-phase accuracy then
# trails the training accuracy for several epochs; 0.9 lets them keep up.

nb_classes = 10
nb_filters = 16
nb_blocks = 3
batch_size = 32
nb_epoch = 8


def residual_block(x, nb_filter):
    """conv-BN-relu-conv-BN, plus the block's input, then relu."""
    shortcut = x
    y = Convolution2D(nb_filter, 3, 3, border_mode='same')(x)
    y = BatchNormalization(axis=1, momentum=0.9)(y)
    y = Activation('relu')(y)
    y = Convolution2D(nb_filter, 3, 3, border_mode='same')(y)
    y = BatchNormalization(axis=1, momentum=0.9)(y)
    y = merge([shortcut, y], mode='sum')
    return Activation('relu')(y)


(X_train, y_train), (X_test, y_test) = digits.load_data()
X_train = X_train.reshape(-1, 1, 8, 8)
X_test = X_test.reshape(-1, 1, 8, 8)
Y_train = np_utils.to_categorical(y_train, nb_classes)
Y_test = np_utils.to_categorical(y_test, nb_classes)
print(X_train.shape[0], 'train samples,', X_test.shape[0], 'test samples')

inputs = Input(shape=(1, 8, 8))
x = Convolution2D(nb_filters, 3, 3, border_mode='same', activation='relu')(inputs)
for _ in range(nb_blocks):
    x = residual_block(x, nb_filters)
x = Flatten()(x)
outputs = Dense(nb_classes, activation='softmax')(x)
model = Model(input=inputs, output=outputs)
model.summary()

model.compile(loss='categorical_crossentropy', optimizer=Adam(lr=0.003), metrics=['accuracy'])
model.fit(X_train, Y_train, batch_size=batch_size, nb_epoch=nb_epoch, verbose=2,
          validation_data=(X_test, Y_test))
score = model.evaluate(X_test, Y_test, verbose=0)
print('Test score:', score[0])
print('Test accuracy:', score[1])

path = os.path.join(tempfile.mkdtemp(), 'digits_resnet.h5')
model.save(path)
restored = load_model(path)
same = np.allclose(restored.predict(X_test), model.predict(X_test), atol=1e-6)
print('Saved to %s; the loaded model predicts the same: %s' % (path, same))
