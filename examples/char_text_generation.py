'''Character-level text generation with an LSTM (Keras 1's lstm_text_generation.py).

Keras 1's example reads Nietzsche from the network; this one learns from text
bundled with Python itself: its license file and the docstrings of a few
standard-library modules (about 60k characters, all local). The model and
the sampling loop are Keras 1's; the number of iterations and the length of
the generated text are cut down so that it runs in a few minutes on 2 cores
(the text only starts to look like English after ~20 iterations).
'''

from __future__ import print_function
import inspect
import os
import random
import sys

import numpy as np

from keraslike.models import Sequential
from keraslike.layers import Dense, Activation
from keraslike.layers import LSTM
from keraslike.optimizers import RMSprop

ITERATIONS = 6
GENERATED_LENGTH = 200
MAX_CORPUS = 60000


def python_text():
    """Prose shipped with Python: LICENSE.txt and standard-library docstrings."""
    parts = []
    license_path = os.path.join(os.path.dirname(os.__file__), 'LICENSE.txt')
    if os.path.exists(license_path):
        with open(license_path) as f:
            parts.append(f.read())
    import argparse, collections, json, logging, pickle, string, textwrap, unittest  # noqa
    for module in (argparse, collections, json, logging, pickle, string, textwrap, unittest):
        for _, obj in sorted(vars(module).items()):
            doc = inspect.getdoc(obj) if (inspect.isclass(obj) or inspect.isfunction(obj)) \
                else None
            if doc and len(doc) > 200:
                parts.append(doc)
    return '\n\n'.join(parts)[:MAX_CORPUS]


np.random.seed(1337)
random.seed(1337)
text = python_text().lower()
print('corpus length:', len(text))

chars = sorted(list(set(text)))
print('total chars:', len(chars))
char_indices = dict((c, i) for i, c in enumerate(chars))
indices_char = dict((i, c) for i, c in enumerate(chars))

# cut the text in semi-redundant sequences of maxlen characters
maxlen = 40
step = 3
sentences = []
next_chars = []
for i in range(0, len(text) - maxlen, step):
    sentences.append(text[i: i + maxlen])
    next_chars.append(text[i + maxlen])
print('nb sequences:', len(sentences))

print('Vectorization...')
X = np.zeros((len(sentences), maxlen, len(chars)), dtype=bool)
y = np.zeros((len(sentences), len(chars)), dtype=bool)
for i, sentence in enumerate(sentences):
    for t, char in enumerate(sentence):
        X[i, t, char_indices[char]] = 1
    y[i, char_indices[next_chars[i]]] = 1


# build the model: a single LSTM
print('Build model...')
model = Sequential()
model.add(LSTM(128, input_shape=(maxlen, len(chars))))
model.add(Dense(len(chars)))
model.add(Activation('softmax'))

optimizer = RMSprop(lr=0.01)
model.compile(loss='categorical_crossentropy', optimizer=optimizer)


def sample(preds, temperature=1.0):
    # helper function to sample an index from a probability array
    preds = np.asarray(preds).astype('float64')
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    probas = np.random.multinomial(1, preds, 1)
    return np.argmax(probas)


# train the model, output generated text after each iteration
for iteration in range(1, ITERATIONS + 1):
    print()
    print('-' * 50)
    print('Iteration', iteration)
    model.fit(X, y, batch_size=128, nb_epoch=1, verbose=2)

    start_index = random.randint(0, len(text) - maxlen - 1)

    for diversity in [0.2, 0.5, 1.0, 1.2]:
        print()
        print('----- diversity:', diversity)

        generated = ''
        sentence = text[start_index: start_index + maxlen]
        generated += sentence
        print('----- Generating with seed: "' + sentence + '"')
        sys.stdout.write(generated)

        for i in range(GENERATED_LENGTH):
            x = np.zeros((1, maxlen, len(chars)))
            for t, char in enumerate(sentence):
                x[0, t, char_indices[char]] = 1.

            preds = model.predict(x, verbose=0)[0]
            next_index = sample(preds, diversity)
            next_char = indices_char[next_index]

            generated += next_char
            sentence = sentence[1:] + next_char

            sys.stdout.write(next_char)
            sys.stdout.flush()
        print()
