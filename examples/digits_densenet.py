"""A small DenseNet on scikit-learn's handwritten digits (offline, real data).

Keras 1 functional-API code in the style of the public Keras 1 DenseNets,
unchanged except ``keras`` -> ``keraslike``: inside a dense block every
convolution sees the concatenation of all the feature maps before it
(``merge(list_of_features, mode='concat', concat_axis=1)``), and a transition
(1x1 convolution, 2x2 average pooling) joins two blocks. The model is saved
to HDF5 and JSON, loaded back, and must predict the same. Test accuracy:
about 96-99%.

    python examples/digits_densenet.py
"""
from __future__ import print_function

import os
import tempfile

import numpy as np

from keraslike.datasets import digits
from keraslike.layers import (Activation, AveragePooling2D, BatchNormalization, Convolution2D,
                              Dense, GlobalAveragePooling2D, Input, merge)
from keraslike.models import Model, load_model, model_from_json
from keraslike.optimizers import Adam
from keraslike.utils import np_utils

np.random.seed(1337)  # for reproducibility
# BatchNormalization's running averages with Keras' default momentum=0.99 lag behind
# the weights over the 45 batches of an epoch of digits: the test-phase accuracy then
# trails the training accuracy for several epochs; 0.9 lets them keep up.

nb_classes = 10
growth_rate = 8
nb_layers = 3          # convolutions per dense block
batch_size = 32
nb_epoch = 10


def conv_unit(x, nb_filter, size):
    """BN-relu-conv, the DenseNet order."""
    x = BatchNormalization(axis=1, momentum=0.9)(x)
    x = Activation('relu')(x)
    return Convolution2D(nb_filter, size, size, border_mode='same')(x)


def dense_block(x, nb_filter):
    features = [x]
    for _ in range(nb_layers):
        x = conv_unit(x, growth_rate, 3)
        features.append(x)
        x = merge(features, mode='concat', concat_axis=1)
        nb_filter += growth_rate
    return x, nb_filter


(X_train, y_train), (X_test, y_test) = digits.load_data()
X_train = X_train.reshape(-1, 1, 8, 8)
X_test = X_test.reshape(-1, 1, 8, 8)
Y_train = np_utils.to_categorical(y_train, nb_classes)
Y_test = np_utils.to_categorical(y_test, nb_classes)
print(X_train.shape[0], 'train samples,', X_test.shape[0], 'test samples')

inputs = Input(shape=(1, 8, 8))
x = Convolution2D(16, 3, 3, border_mode='same')(inputs)
x, nb_filter = dense_block(x, 16)
x = conv_unit(x, nb_filter // 2, 1)                 # transition
x = AveragePooling2D((2, 2))(x)
x, nb_filter = dense_block(x, nb_filter // 2)
x = BatchNormalization(axis=1, momentum=0.9)(x)
x = Activation('relu')(x)
x = GlobalAveragePooling2D()(x)
outputs = Dense(nb_classes, activation='softmax')(x)
model = Model(input=inputs, output=outputs)
model.summary()

model.compile(loss='categorical_crossentropy', optimizer=Adam(lr=0.003), metrics=['accuracy'])
model.fit(X_train, Y_train, batch_size=batch_size, nb_epoch=nb_epoch, verbose=2,
          validation_data=(X_test, Y_test))
score = model.evaluate(X_test, Y_test, verbose=0)
print('Test score:', score[0])
print('Test accuracy:', score[1])

folder = tempfile.mkdtemp()
model.save(os.path.join(folder, 'digits_densenet.h5'))
restored = load_model(os.path.join(folder, 'digits_densenet.h5'))
rebuilt = model_from_json(model.to_json())
rebuilt.set_weights(model.get_weights())
expected = model.predict(X_test)
print('Loaded from HDF5, predicts the same: %s' % np.allclose(restored.predict(X_test), expected,
                                                              atol=1e-6))
print('Rebuilt from JSON, predicts the same: %s' % np.allclose(rebuilt.predict(X_test), expected,
                                                               atol=1e-6))
