"""The Keras 1 guide's "MLP for binary classification", on dummy data."""
import numpy as np

from keraslike.models import Sequential
from keraslike.layers import Dense, Dropout

X_train = np.random.random((1000, 20))
y_train = np.random.randint(2, size=(1000, 1))

model = Sequential()
model.add(Dense(64, input_dim=20, init='uniform', activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(64, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(1, activation='sigmoid'))

model.compile(loss='binary_crossentropy',
              optimizer='rmsprop',
              metrics=['accuracy'])

model.fit(X_train, y_train, nb_epoch=5, batch_size=16)
