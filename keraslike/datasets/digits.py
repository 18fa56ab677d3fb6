"""The 8x8 handwritten digits bundled with scikit-learn (offline, no download).

Data source: ``sklearn.datasets.load_digits`` -- the UCI "Optical Recognition
of Handwritten Digits" test set, 1797 images of 8x8 pixels with values 0..16.

>>> (X_train, y_train), (X_test, y_test) = load_data()
>>> X_train.shape[1], X_train.dtype.name
(64, 'float32')
"""
import numpy as np


def load_data(test_split=0.2, seed=113):
    """Return ``(X_train, y_train), (X_test, y_test)``.

    X: float32 ``(n, 64)`` scaled to ``[0, 1]`` (pixel / 16); y: int labels
    0..9. Samples are shuffled with ``np.random.RandomState(seed)`` (the global
    numpy RNG is untouched) and the last ``test_split`` fraction is the test
    set (split index ``int(n * (1 - test_split))``).

    >>> (X_train, y_train), _ = load_data(test_split=0.5, seed=1)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError('keraslike.datasets.digits needs scikit-learn: '
                          "`pip install scikit-learn` (or `pip install 'keraslike[examples]'`).")
    digits = load_digits()
    X = (np.asarray(digits.data, dtype='float32') / 16.).astype('float32')
    y = np.asarray(digits.target, dtype='int64')
    order = np.random.RandomState(seed).permutation(len(X))
    X, y = X[order], y[order]
    split = int(len(X) * (1 - test_split))
    return (X[:split], y[:split]), (X[split:], y[split:])
