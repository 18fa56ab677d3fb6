"""Wrappers for other libraries (``keras.wrappers``): ``scikit_learn``.

>>> from keraslike.wrappers.scikit_learn import KerasClassifier, KerasRegressor
"""
