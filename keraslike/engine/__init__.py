"""The engine: layers and their graph (topology) and training (Model)."""
# Keras 1's keras.engine names; `merge` is the function (the layer module is merge_layer)
from .topology import (Input, InputLayer, InputSpec, Layer, Merge, get_source_inputs,  # noqa: F401
                       merge)
from .training import Model  # noqa: F401
