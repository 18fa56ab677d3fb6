"""Keras 1's ``keras.models``: Sequential, Model, and (with the saving issue) load/save.

>>> from keraslike.models import Sequential, Model
"""
from keraslike.engine.training import Model  # noqa: F401
from keraslike.sequential import Sequential  # noqa: F401
