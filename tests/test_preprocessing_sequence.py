"""keraslike.preprocessing.sequence against hand-computed arrays."""
import random

import numpy as np
import pytest

from keraslike.preprocessing.sequence import make_sampling_table, pad_sequences, skipgrams


def test_pad_sequences_pre_post_truncating_and_value():
    seqs = [[1], [1, 2], [1, 2, 3]]
    assert pad_sequences(seqs).tolist() == [[0, 0, 1], [0, 1, 2], [1, 2, 3]]
    assert pad_sequences(seqs, padding='post').tolist() == [[1, 0, 0], [1, 2, 0], [1, 2, 3]]
    assert pad_sequences(seqs, maxlen=2).tolist() == [[0, 1], [1, 2], [2, 3]]
    assert pad_sequences(seqs, maxlen=2, truncating='post').tolist() == [[0, 1], [1, 2], [1, 2]]
    assert pad_sequences(seqs, maxlen=2, value=9).tolist() == [[9, 1], [1, 2], [2, 3]]
    out = pad_sequences([[], [5]], maxlen=3, dtype='float32', value=-1.)
    assert out.dtype == np.float32 and out.tolist() == [[-1, -1, -1], [-1, -1, 5]]
    with pytest.raises(ValueError, match='Padding type'):
        pad_sequences(seqs, padding='middle')
    with pytest.raises(ValueError, match='Truncating type'):
        pad_sequences(seqs, maxlen=1, truncating='middle')


def test_pad_sequences_of_vectors():
    seqs = [[[1, 1]], [[2, 1], [2, 2]]]
    out = pad_sequences(seqs, maxlen=3, dtype='float32')
    assert out.shape == (2, 3, 2)
    assert out[0].tolist() == [[0, 0], [0, 0], [1, 1]]
    assert out[1].tolist() == [[0, 0], [2, 1], [2, 2]]
    with pytest.raises(ValueError, match='Shape of sample'):
        pad_sequences([[[1, 1]], [[1, 1, 1]]])


def test_make_sampling_table():
    table = make_sampling_table(4, sampling_factor=0.5)
    rank = np.array([1., 1., 2., 3.])
    f = 0.5 * (rank * (np.log(rank) + 0.577) + 0.5 - 1. / (12. * rank))
    np.testing.assert_allclose(table, np.minimum(1., np.sqrt(f)))
    default = make_sampling_table(1000)
    assert default[1] < default[10] < default[999] <= 1.  # frequent words kept less


def test_skipgrams_positive_and_negative_couples():
    couples, labels = skipgrams([0, 1, 2, 3], vocabulary_size=4, window_size=1,
                                negative_samples=0., shuffle=False)
    assert couples == [[1, 2], [2, 1], [2, 3], [3, 2]]  # index 0 is skipped
    assert labels == [1, 1, 1, 1]
    random.seed(0)
    couples, labels = skipgrams([1, 2, 3], vocabulary_size=10, window_size=2,
                                negative_samples=1., categorical=True)
    assert len(couples) == 12 and labels.count([0, 1]) == 6 and labels.count([1, 0]) == 6
    positives = {(1, 2), (1, 3), (2, 1), (2, 3), (3, 1), (3, 2)}
    for couple, label in zip(couples, labels):
        if label == [0, 1]:
            assert tuple(couple) in positives
        else:
            assert couple[0] in (1, 2, 3) and 1 <= couple[1] <= 9


def test_skipgrams_sampling_table_drops_words():
    table = np.array([0., 0., 1., 1.])  # never keep word 1 as a centre word
    couples, _ = skipgrams([1, 2, 3], 4, window_size=1, negative_samples=0.,
                           shuffle=False, sampling_table=table)
    assert couples == [[2, 1], [2, 3], [3, 2]]
