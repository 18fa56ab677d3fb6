"""keraslike: the Keras 1 API on PyTensor.

>>> from keraslike.models import Sequential
>>> from keraslike.layers import Dense
>>> model = Sequential([Dense(2, input_dim=3)])
"""
__version__ = '1.2.2'
