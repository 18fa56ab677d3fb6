"""The Keras 1 guide's "MLP for multi-class softmax classification", on dummy data.

The guide leaves X_train/y_train undefined; here they are random 20-dimensional
vectors with 10 classes, as in Keras 1's own examples.
"""
import numpy as np

from keraslike.models import Sequential
from keraslike.layers import Dense, Dropout, Activation
from keraslike.optimizers import SGD
from keraslike.utils.np_utils import to_categorical

X_train = np.random.random((1000, 20))
y_train = to_categorical(np.random.randint(10, size=(1000, 1)), 10)
X_test = np.random.random((100, 20))
y_test = to_categorical(np.random.randint(10, size=(100, 1)), 10)

model = Sequential()
# Dense(64) is a fully-connected layer with 64 hidden units.
# in the first layer, you must specify the expected input data shape:
# here, 20-dimensional vectors.
model.add(Dense(64, input_dim=20, init='uniform'))
model.add(Activation('tanh'))
model.add(Dropout(0.5))
model.add(Dense(64, init='uniform'))
model.add(Activation('tanh'))
model.add(Dropout(0.5))
model.add(Dense(10, init='uniform'))
model.add(Activation('softmax'))

sgd = SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy',
              optimizer=sgd,
              metrics=['accuracy'])

model.fit(X_train, y_train,
          nb_epoch=20,
          batch_size=16)
score = model.evaluate(X_test, y_test, batch_size=16)
print(score)
