"""keraslike.preprocessing.text against hand-computed values."""
import numpy as np
import pytest

from keraslike.preprocessing.text import (Tokenizer, base_filter, hashing_trick, one_hot,
                                          text_to_word_sequence)

TEXTS = ['The cat sat on the mat.', 'The dog ate my homework!', "Dog's day: the dog sat."]


def test_base_filter_and_word_sequence():
    assert base_filter() == '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
    assert text_to_word_sequence("Dog's day:\tthe DOG sat.") == ["dog's", 'day', 'the', 'dog',
                                                                  'sat']
    assert text_to_word_sequence('a-b c', lower=False, filters='-') == ['a', 'b', 'c']
    assert text_to_word_sequence('a,b', split=',', filters='') == ['a', 'b']


def test_one_hot_and_hashing_trick():
    encoded = one_hot('The cat and the hat', 5)
    assert len(encoded) == 5 and all(1 <= i <= 4 for i in encoded)
    assert encoded[0] == encoded[3]
    md5 = hashing_trick('alpha beta alpha', 100, hash_function='md5')
    assert md5[0] == md5[2] and md5 == hashing_trick('alpha beta alpha', 100, 'md5')
    assert hashing_trick('ab', 7, hash_function=len) == [3]  # 2 % 6 + 1


def test_tokenizer_vocabulary_and_sequences():
    tok = Tokenizer()
    tok.fit_on_texts(TEXTS)
    assert tok.document_count == 3
    assert tok.word_counts['the'] == 4 and tok.word_counts['dog'] == 2
    assert tok.word_counts["dog's"] == 1
    assert tok.word_docs['the'] == 3 and tok.word_docs['dog'] == 2
    # by count, ties in order of first appearance
    assert [w for w, _ in sorted(tok.word_index.items(), key=lambda t: t[1])][:4] == \
        ['the', 'sat', 'dog', 'cat']
    assert tok.index_docs[tok.word_index['dog']] == 2
    assert tok.texts_to_sequences(['the dog', 'unknown cat']) == [[1, 3], [4]]
    limited = Tokenizer(nb_words=3)
    limited.fit_on_texts(TEXTS)
    assert limited.texts_to_sequences(['the cat dog sat']) == [[1, 2]]  # indices < 3 only
    assert Tokenizer(num_words=3).nb_words == 3


def test_tokenizer_matrix_modes():
    tok = Tokenizer()
    tok.fit_on_texts(TEXTS)
    n = len(tok.word_index) + 1
    seq = ['the dog the']
    binary = tok.texts_to_matrix(seq, mode='binary')
    assert binary.shape == (1, n) and binary[0, 1] == 1 and binary[0, 3] == 1
    assert binary.sum() == 2
    assert tok.texts_to_matrix(seq, mode='count')[0, 1] == 2
    np.testing.assert_allclose(tok.texts_to_matrix(seq, mode='freq')[0, [1, 3]], [2 / 3, 1 / 3])
    tfidf = tok.texts_to_matrix(seq, mode='tfidf')[0]
    np.testing.assert_allclose(tfidf[1], (1 + np.log(2)) * np.log(1 + 3 / (1 + 3)))
    np.testing.assert_allclose(tfidf[3], 1 * np.log(1 + 3 / (1 + 2)))
    with pytest.raises(ValueError, match='Unknown vectorization mode'):
        tok.texts_to_matrix(seq, mode='bogus')


def test_tokenizer_on_sequences_and_char_level():
    tok = Tokenizer(nb_words=4)
    tok.fit_on_sequences([[1, 2, 2], [2, 3]])
    assert tok.document_count == 2 and tok.index_docs == {1: 1, 2: 2, 3: 1}
    out = tok.sequences_to_matrix([[1, 2, 2, 7]], mode='count')
    assert out.tolist() == [[0, 1, 2, 0]]  # index 7 >= nb_words is ignored
    with pytest.raises(ValueError, match='Specify a dimension'):
        Tokenizer().sequences_to_matrix([[1]])
    chars = Tokenizer(char_level=True)
    chars.fit_on_texts(['abba'])
    assert chars.word_index == {'a': 1, 'b': 2}
