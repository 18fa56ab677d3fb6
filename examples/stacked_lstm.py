'''The Keras 1 guide's "Stacked LSTM for sequence classification".

The first part is the guide's code, verbatim except the imports: three
stacked LSTM layers on dummy random data (nothing to learn there, it shows
the model runs). The second part trains the same model on data with a
learnable rule (each class raises one feature at every timestep) and
reports the validation accuracy.
'''
from __future__ import print_function
import numpy as np

from keraslike.models import Sequential
from keraslike.layers import LSTM, Dense

np.random.seed(1337)

# --- the guide's code ---
data_dim = 16
timesteps = 8
nb_classes = 10

# expected input data shape: (batch_size, timesteps, data_dim)
model = Sequential()
model.add(LSTM(32, return_sequences=True,
               input_shape=(timesteps, data_dim)))  # returns a sequence of vectors of dimension 32
model.add(LSTM(32, return_sequences=True))  # returns a sequence of vectors of dimension 32
model.add(LSTM(32))  # return a single vector of dimension 32
model.add(Dense(10, activation='softmax'))

model.compile(loss='categorical_crossentropy',
              optimizer='rmsprop',
              metrics=['accuracy'])

# generate dummy training data
x_train = np.random.random((1000, timesteps, data_dim))
y_train = np.random.random((1000, nb_classes))

# generate dummy validation data
x_val = np.random.random((100, timesteps, data_dim))
y_val = np.random.random((100, nb_classes))

model.fit(x_train, y_train,
          batch_size=64, nb_epoch=5,
          validation_data=(x_val, y_val))
# --- end of the guide's code ---


def learnable(n):
    labels = np.random.randint(0, nb_classes, n)
    x = np.random.random((n, timesteps, data_dim))
    x[np.arange(n), :, labels] += 0.5
    return x, np.eye(nb_classes)[labels]


print('\nThe same model on learnable data:')
x_train, y_train = learnable(1000)
x_val, y_val = learnable(200)
history = model.fit(x_train, y_train, batch_size=64, nb_epoch=15, verbose=0,
                    validation_data=(x_val, y_val))
print('validation accuracy after 15 epochs: %.3f' % history.history['val_acc'][-1])
