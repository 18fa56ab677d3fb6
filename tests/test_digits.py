import sys

import numpy as np
import pytest

pytest.importorskip('sklearn')

from keraslike.datasets import digits  # noqa: E402


def test_shapes_dtypes_and_range():
    (X_train, y_train), (X_test, y_test) = digits.load_data()
    assert X_train.shape == (1437, 64) and X_test.shape == (360, 64)   # int(1797 * 0.8)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert X_train.dtype == np.float32 and X_test.dtype == np.float32
    assert np.issubdtype(y_train.dtype, np.integer) and np.issubdtype(y_test.dtype, np.integer)
    X = np.concatenate([X_train, X_test])
    assert X.min() == 0.0 and X.max() == 1.0
    # pixel values are k/16
    np.testing.assert_array_equal(X * 16, np.round(X * 16))
    y = np.concatenate([y_train, y_test])
    assert set(np.unique(y)) == set(range(10))


def test_same_samples_as_sklearn_shuffled():
    from sklearn.datasets import load_digits
    ref = load_digits()
    (X_train, y_train), (X_test, y_test) = digits.load_data(seed=113)
    order = np.random.RandomState(113).permutation(len(ref.data))
    np.testing.assert_array_equal(X_train, (ref.data[order][:1437] / 16.).astype('float32'))
    np.testing.assert_array_equal(y_test, ref.target[order][1437:])


def test_deterministic_and_seed_dependent():
    (a, ya), (at, yat) = digits.load_data()
    (b, yb), (bt, ybt) = digits.load_data()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(yat, ybt)
    (c, yc), _ = digits.load_data(seed=1)
    assert not np.array_equal(ya, yc)


def test_does_not_touch_global_rng():
    np.random.seed(0)
    expected = np.random.rand(3)
    np.random.seed(0)
    digits.load_data(seed=5)
    np.testing.assert_array_equal(np.random.rand(3), expected)


def test_test_split():
    (X_train, _), (X_test, _) = digits.load_data(test_split=0.5)
    assert len(X_train) == 898 and len(X_test) == 899
    (X_train, _), (X_test, _) = digits.load_data(test_split=0.0)
    assert len(X_train) == 1797 and len(X_test) == 0


def test_missing_sklearn_message(monkeypatch):
    monkeypatch.setitem(sys.modules, 'sklearn.datasets', None)
    with pytest.raises(ImportError, match='pip install scikit-learn'):
        digits.load_data()
