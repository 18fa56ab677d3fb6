"""Keras 1's ``keras.backend.theano_backend`` path, for code that imports from it.

There is no Theano here: it is the same PyTensor backend as ``keraslike.backend``.
"""
from . import *  # noqa: F401,F403
