"""Keras 1's ``keras.models``: Sequential, Model, saving and loading.

>>> from keraslike.models import Sequential, Model, load_model, model_from_json
"""
from keraslike.engine.training import Model  # noqa: F401
# names Keras 1's models.py imported, which code imports from keras.models
from keraslike.engine.topology import Layer, Merge, Node, get_source_inputs  # noqa: F401
from keraslike.optimizers import optimizer_from_config  # noqa: F401
from keraslike.utils.io_utils import ask_to_proceed_with_overwrite  # noqa: F401
from keraslike.engine.sequential import Sequential  # noqa: F401
from keraslike.engine.saving import (load_model, model_from_config,  # noqa: F401
                                     model_from_json, model_from_yaml, save_model)
# Loading a model rebuilds its layers by class name, from the classes keraslike.layers
# registers when it loads (Keras 1's models module loaded keras.layers too).
from keraslike import layers as _layers  # noqa: F401
