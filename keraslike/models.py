"""Keras 1's ``keras.models``: Sequential, Model, saving and loading.

>>> from keraslike.models import Sequential, Model, load_model, model_from_json
"""
from keraslike.engine.training import Model  # noqa: F401
from keraslike.sequential import Sequential  # noqa: F401
# save_model, load_model, model_from_config/json/yaml (issue 7, engine/saving.py)
