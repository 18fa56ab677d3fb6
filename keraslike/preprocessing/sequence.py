"""Sequence preprocessing (``keras.preprocessing.sequence``): padding, skip-grams.

>>> pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
[[2, 3], [0, 4]]
"""
import random

import numpy as np

from keraslike.utils.generic_utils import check_int_arg


def pad_sequences(sequences, maxlen=None, dtype='int32', padding='pre', truncating='pre',
                  value=0.):
    """Pad (or cut) each sequence to ``maxlen``; returns ``(n, maxlen) + sample_shape``.

    ``maxlen`` defaults to the longest sequence; ``padding``/``truncating``
    ``'pre'`` work at the start, ``'post'`` at the end; empty sequences become
    all ``value``. The sample shape comes from the first non-empty sequence and
    a different one raises ``ValueError``.

    >>> pad_sequences([[1], [2, 3]], padding='post', value=-1).tolist()
    [[1, -1], [2, 3]]
    """
    # checked up front (Keras 1 only noticed with a sequence to pad; the wording is its own)
    if padding not in ('pre', 'post'):
        raise ValueError('pad_sequences: Padding type %r not understood; `padding` must be '
                         '"pre" or "post".' % (padding,))
    if truncating not in ('pre', 'post'):
        raise ValueError('pad_sequences: Truncating type %r not understood; `truncating` must '
                         'be "pre" or "post".' % (truncating,))
    if maxlen is not None:  # 0 stays valid (Keras 1 returns (n, 0) arrays)
        maxlen = check_int_arg(maxlen, 'maxlen', 'pad_sequences', minimum=0)
    if not hasattr(sequences, '__len__'):
        raise ValueError('`sequences` must be iterable.')
    lengths = []
    for s in sequences:
        if not hasattr(s, '__len__'):
            raise ValueError('`sequences` must be a list of iterables. Found non-iterable: '
                             + str(s))
        lengths.append(len(s))
    nb_samples = len(sequences)
    if maxlen is None:
        maxlen = int(np.max(lengths)) if lengths else 0
    sample_shape = tuple()
    for s in sequences:
        if len(s) > 0:
            sample_shape = np.asarray(s).shape[1:]
            break
    x = (np.ones((nb_samples, maxlen) + sample_shape) * value).astype(dtype)
    for idx, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        if truncating == 'pre':
            trunc = s[-maxlen:]
        elif truncating == 'post':
            trunc = s[:maxlen]
        else:
            raise ValueError('Truncating type "%s" not understood' % truncating)
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError('Shape of sample %s of sequence at position %s is different from '
                             'expected shape %s' % (trunc.shape[1:], idx, sample_shape))
        if padding == 'post':
            x[idx, :len(trunc)] = trunc
        elif padding == 'pre':
            x[idx, -len(trunc):] = trunc
        else:
            raise ValueError('Padding type "%s" not understood' % padding)
    return x


def make_sampling_table(size, sampling_factor=1e-5):
    """Probability of keeping the word of each frequency rank (word2vec sub-sampling).

    ``p[i] = min(1, sqrt(f))`` with ``f = sampling_factor * (r*(ln r + gamma) + 1/2 - 1/(12 r))``
    (Zipf approximation of the inverse frequency of rank ``r``; ``r = 1`` for index 0).

    >>> t = make_sampling_table(5)
    >>> t.shape, bool(t[0] == t[1])
    ((5,), True)
    """
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1. / (12. * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1., f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1., shuffle=True,
              categorical=False, sampling_table=None):
    """Skip-gram ``(couples, labels)`` from a sequence of word indices (index 0 skipped).

    Positive couples ``[wi, wj]`` for ``wj`` within ``window_size`` of ``wi``
    (label 1, or ``[0, 1]`` if ``categorical``); then
    ``int(n_positive * negative_samples)`` negative couples pairing shuffled
    centre words with ``random.randint(1, vocabulary_size - 1)`` (label 0 or
    ``[1, 0]``). Uses Python's ``random`` module, like Keras 1.

    >>> couples, labels = skipgrams([1, 2], 3, window_size=1, negative_samples=0, shuffle=False)
    >>> couples, labels
    ([[1, 2], [2, 1]], [1, 1])
    """
    couples = []
    labels = []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None:
            if sampling_table[wi] < random.random():
                continue
        window_start = max(0, i - window_size)
        window_end = min(len(sequence), i + window_size + 1)
        for j in range(window_start, window_end):
            if j != i:
                wj = sequence[j]
                if not wj:
                    continue
                couples.append([wi, wj])
                labels.append([0, 1] if categorical else 1)

    if negative_samples > 0 and couples:
        nb_negative_samples = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, vocabulary_size - 1)]
                    for i in range(nb_negative_samples)]
        if categorical:
            labels += [[1, 0]] * nb_negative_samples
        else:
            labels += [0] * nb_negative_samples

    if shuffle:
        seed = random.randint(0, int(10e6))
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels
