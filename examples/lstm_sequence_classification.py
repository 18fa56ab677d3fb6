'''The Keras 1 guide's "Sequence classification with LSTM", on small generated data.

The model and training code are the guide's, verbatim except the imports.
The guide leaves ``max_features``, ``maxlen`` and the data to the reader:
here each sequence of word indices is labelled 1 when it holds more "high"
words (index >= max_features / 2) than "low" ones, a rule an LSTM can learn
by counting. Runs in well under a minute on 2 cores once compiled.
'''
from __future__ import print_function
import numpy as np

from keraslike.models import Sequential
from keraslike.layers import Dense, Dropout, Activation
from keraslike.layers import Embedding
from keraslike.layers import LSTM

np.random.seed(1337)
max_features = 200
maxlen = 20


def make_data(n):
    X = np.random.randint(1, max_features, size=(n, maxlen))
    Y = (np.sum(X >= max_features // 2, axis=1) > maxlen // 2).astype('float32')
    return X, Y


X_train, Y_train = make_data(2000)
X_test, Y_test = make_data(500)

# --- the guide's code ---
model = Sequential()
model.add(Embedding(max_features, 256, input_length=maxlen))
model.add(LSTM(output_dim=128, activation='sigmoid', inner_activation='hard_sigmoid'))
model.add(Dropout(0.5))
model.add(Dense(1))
model.add(Activation('sigmoid'))

model.compile(loss='binary_crossentropy',
              optimizer='rmsprop',
              metrics=['accuracy'])

model.fit(X_train, Y_train, batch_size=16, nb_epoch=10)
score = model.evaluate(X_test, Y_test, batch_size=16)
# --- end of the guide's code ---

print('\nTest loss %.3f, test accuracy %.3f (chance: about %.2f)'
      % (score[0], score[1], max(Y_test.mean(), 1 - Y_test.mean())))
