"""The Keras 1 guide's "Alternative implementation of a similar MLP" (adadelta), on dummy data."""
import numpy as np

from keraslike.models import Sequential
from keraslike.layers import Dense, Dropout
from keraslike.utils.np_utils import to_categorical

X_train = np.random.random((1000, 20))
y_train = to_categorical(np.random.randint(10, size=(1000, 1)), 10)

model = Sequential()
model.add(Dense(64, input_dim=20, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(64, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(10, activation='softmax'))

model.compile(loss='categorical_crossentropy',
              optimizer='adadelta',
              metrics=['accuracy'])

model.fit(X_train, y_train, nb_epoch=5, batch_size=16)
