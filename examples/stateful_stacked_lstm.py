'''The Keras 1 guide's "Same stacked LSTM model, rendered stateful".

The first part is the guide's code, verbatim except the imports. A stateful
model keeps its LSTM states from one batch to the next: sample i of batch k
continues sample i of batch k-1, so long sequences can be fed in chunks.
The second part shows it: a sequence split in two chunks gives the same
final output as the whole sequence in one go (with the same weights), and
``reset_states()`` starts over.
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
batch_size = 32

# expected input batch shape: (batch_size, timesteps, data_dim)
# note that we have to provide the full batch_input_shape since the network is stateful.
# the sample of index i in batch k is the follow-up for the sample i in batch k-1.
model = Sequential()
model.add(LSTM(32, return_sequences=True, stateful=True,
               batch_input_shape=(batch_size, timesteps, data_dim)))
model.add(LSTM(32, return_sequences=True, stateful=True))
model.add(LSTM(32, stateful=True))
model.add(Dense(10, activation='softmax'))

model.compile(loss='categorical_crossentropy',
              optimizer='rmsprop',
              metrics=['accuracy'])

# generate dummy training data
x_train = np.random.random((batch_size * 10, timesteps, data_dim))
y_train = np.random.random((batch_size * 10, nb_classes))

# generate dummy validation data
x_val = np.random.random((batch_size * 3, timesteps, data_dim))
y_val = np.random.random((batch_size * 3, nb_classes))

model.fit(x_train, y_train,
          batch_size=batch_size, nb_epoch=5, shuffle=False,
          validation_data=(x_val, y_val))
# --- end of the guide's code ---

print('\nStates carry over between batches:')
sequence = np.random.random((batch_size, 2 * timesteps, data_dim))
model.reset_states()
model.predict(sequence[:, :timesteps], batch_size=batch_size)
chunked = model.predict(sequence[:, timesteps:], batch_size=batch_size)

whole = Sequential()
whole.add(LSTM(32, return_sequences=True, input_shape=(2 * timesteps, data_dim)))
whole.add(LSTM(32, return_sequences=True))
whole.add(LSTM(32))
whole.add(Dense(10, activation='softmax'))
whole.set_weights(model.get_weights())
at_once = whole.predict(sequence, batch_size=batch_size)
print('two chunks vs. the whole sequence: max difference %.2e' % np.abs(chunked - at_once).max())

model.reset_states()
restart = model.predict(sequence[:, timesteps:], batch_size=batch_size)
print('after reset_states(), the second chunk alone differs by %.2e'
      % np.abs(restart - chunked).max())
try:
    model.fit(x_train[:40], y_train[:40], batch_size=batch_size, nb_epoch=1, verbose=0)
except ValueError as e:
    print('fit with 40 samples and batch_size 32:', e)
