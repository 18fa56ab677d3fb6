"""A siamese network with a shared encoder (functional API), on the bundled digits.

Pairs of digit images are encoded by the same Sequential encoder; the model
learns whether a pair shows the same digit from the squared distance of the
two codes (Keras 1's mnist_siamese_graph, with a cross-entropy head).
"""
from __future__ import print_function

import numpy as np

from keraslike import backend as K
from keraslike.datasets import digits
from keraslike.layers import Dense, Dropout, Input, merge
from keraslike.models import Model, Sequential

np.random.seed(1337)


def make_pairs(x, y, n):
    """n pairs, half of the same digit and half of different digits."""
    by_digit = [np.where(y == d)[0] for d in range(10)]
    a, b, same = [], [], []
    for i in range(n):
        d = np.random.randint(10)
        e = d if i % 2 == 0 else (d + np.random.randint(1, 10)) % 10
        a.append(np.random.choice(by_digit[d]))
        b.append(np.random.choice(by_digit[e]))
        same.append(float(d == e))
    return x[a], x[b], np.array(same)


(X_train, y_train), (X_test, y_test) = digits.load_data()
tr_a, tr_b, tr_y = make_pairs(X_train, y_train, 6000)
te_a, te_b, te_y = make_pairs(X_test, y_test, 1000)

encoder = Sequential()
encoder.add(Dense(128, input_shape=(64,), activation='relu'))
encoder.add(Dropout(0.1))
encoder.add(Dense(32, activation='relu'))

input_a = Input(shape=(64,))
input_b = Input(shape=(64,))
# the same encoder (same weights) processes both inputs
distance = merge([encoder(input_a), encoder(input_b)],
                 mode=lambda xs: K.sum(K.square(xs[0] - xs[1]), axis=1, keepdims=True),
                 output_shape=(1,))
same_digit = Dense(1, activation='sigmoid')(distance)

model = Model(input=[input_a, input_b], output=same_digit)
model.summary()
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit([tr_a, tr_b], tr_y, batch_size=128, nb_epoch=10,
          validation_data=([te_a, te_b], te_y))
loss, acc = model.evaluate([te_a, te_b], te_y, verbose=0)
print('Pair accuracy on held-out digits: %.3f' % acc)
