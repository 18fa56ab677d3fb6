"""Text preprocessing (``keras.preprocessing.text``): word splitting, hashing, ``Tokenizer``.

>>> text_to_word_sequence('Hello, World! Hello.')
['hello', 'world', 'hello']
"""
import hashlib
import string

import numpy as np


def base_filter():
    """Characters removed by default: ASCII punctuation except the apostrophe, plus tab and newline.

    >>> "'" in base_filter(), '!' in base_filter()
    (False, True)
    """
    f = string.punctuation
    f = f.replace("'", '')
    f += '\t\n'
    return f


def text_to_word_sequence(text, filters=base_filter(), lower=True, split=' '):
    """Split ``text`` into words: lower-case, each filter character becomes ``split``,
    empty tokens are dropped.

    >>> text_to_word_sequence("It's   done", split=' ')
    ["it's", 'done']
    """
    if lower:
        text = text.lower()
    text = text.translate({ord(c): split for c in filters})
    return [i for i in text.split(split) if i]


def hashing_trick(text, n, hash_function=None, filters=base_filter(), lower=True, split=' '):
    """(Keras 2) Word indices in ``[1, n-1]`` from a hash: ``hash(w) % (n - 1) + 1``.

    ``hash_function`` is ``None`` (Python's ``hash``, salted per process),
    ``'md5'`` (stable) or any function of a string.

    >>> hashing_trick('a b a', 10, hash_function='md5')[0] == hashing_trick('a', 10, 'md5')[0]
    True
    """
    if hash_function is None:
        hash_function = hash
    elif hash_function == 'md5':
        def hash_function(w):
            return int(hashlib.md5(w.encode()).hexdigest(), 16)
    seq = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    return [(abs(hash_function(w)) % (n - 1) + 1) for w in seq]


def one_hot(text, n, filters=base_filter(), lower=True, split=' '):
    """Word indices ``abs(hash(w)) % (n - 1) + 1`` (Python's ``hash``: stable within
    one process only, as in Keras 1 on Python 3).

    >>> words = one_hot('the cat the', 5)
    >>> words[0] == words[2] and all(1 <= w <= 4 for w in words)
    True
    """
    return hashing_trick(text, n, hash_function=hash, filters=filters, lower=lower,
                         split=split)


class Tokenizer(object):
    """Vocabulary built from texts; turns texts into index sequences or matrices.

    ``word_index`` maps words to 1-based ranks by descending count (ties: first
    seen first); index 0 is reserved. With ``nb_words`` (Keras 2:
    ``num_words``) only indices ``< nb_words`` are kept.

    >>> tok = Tokenizer(nb_words=3)
    >>> tok.fit_on_texts(['a b b', 'b c'])
    >>> tok.word_index['b'], tok.texts_to_sequences(['a b c'])
    (1, [[2, 1]])
    >>> tok.texts_to_matrix(['b b'], mode='count').tolist()
    [[0.0, 2.0, 0.0]]
    """

    def __init__(self, nb_words=None, filters=base_filter(), lower=True, split=' ',
                 char_level=False, num_words=None):
        self.word_counts = {}
        self.word_docs = {}
        self.filters = filters
        self.split = split
        self.lower = lower
        self.nb_words = nb_words if num_words is None else num_words
        self.document_count = 0
        self.char_level = char_level
        self.word_index = {}
        self.index_docs = {}

    @property
    def num_words(self):
        return self.nb_words

    @num_words.setter
    def num_words(self, value):
        self.nb_words = value

    def _sequence(self, text):
        if self.char_level:
            return text
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Count words (``word_counts``) and documents per word (``word_docs``); build
        ``word_index`` and ``index_docs``. ``document_count`` is reset, as in Keras 1."""
        self.document_count = 0
        for text in texts:
            self.document_count += 1
            seq = self._sequence(text)
            for w in seq:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(seq):
                self.word_docs[w] = self.word_docs.get(w, 0) + 1
        wcounts = list(self.word_counts.items())
        wcounts.sort(key=lambda x: x[1], reverse=True)
        sorted_voc = [wc[0] for wc in wcounts]
        self.word_index = dict(zip(sorted_voc, range(1, len(sorted_voc) + 1)))
        self.index_docs = {}
        for w, c in self.word_docs.items():
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Document frequencies from index sequences (what ``tfidf`` mode needs)."""
        self.document_count = len(sequences)
        self.index_docs = {}
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] = self.index_docs.get(i, 0) + 1

    def texts_to_sequences(self, texts):
        """List of index lists; unknown words and indices ``>= nb_words`` are dropped."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        nb_words = self.nb_words
        for text in texts:
            vect = []
            for w in self._sequence(text):
                i = self.word_index.get(w)
                if i is not None and not (nb_words and i >= nb_words):
                    vect.append(i)
            yield vect

    def texts_to_matrix(self, texts, mode='binary'):
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode='binary'):
        """``(len(sequences), nb_words)`` float matrix (width ``len(word_index)+1`` without
        ``nb_words``). ``mode``: ``'binary'``, ``'count'``, ``'freq'`` (count / length)
        or ``'tfidf'`` (``(1 + ln c) * ln(1 + N / (1 + df))``)."""
        if not self.nb_words:
            if self.word_index:
                nb_words = len(self.word_index) + 1
            else:
                raise ValueError('Specify a dimension (nb_words argument), '
                                 'or fit on some text data first.')
        else:
            nb_words = self.nb_words
        if mode not in ('binary', 'count', 'freq', 'tfidf'):
            raise ValueError('Unknown vectorization mode:', mode)
        if mode == 'tfidf' and not self.document_count:
            raise ValueError('Fit the Tokenizer on some data before using tfidf mode.')
        X = np.zeros((len(sequences), nb_words))
        for i, seq in enumerate(sequences):
            if not seq:
                continue
            counts = {}
            for j in seq:
                if j >= nb_words:
                    continue
                counts[j] = counts.get(j, 0.) + 1
            for j, c in counts.items():
                if mode == 'count':
                    X[i][j] = c
                elif mode == 'freq':
                    X[i][j] = c / len(seq)
                elif mode == 'binary':
                    X[i][j] = 1
                else:
                    tf = 1 + np.log(c)
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
                    X[i][j] = tf * idf
        return X
