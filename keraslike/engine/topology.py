"""Keras 1's ``keras.engine.topology`` names: Layer, InputSpec, Node, InputLayer, Input,
Container, Merge, merge.

The code lives in small modules (base_layer, node, input_layer, container,
merge); this module gathers them under the Keras 1 path.
"""
from .base_layer import InputSpec, Layer, object_list_uid, to_list  # noqa: F401
from .container import Container, get_source_inputs  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .merge import Merge, merge  # noqa: F401
from .node import Node  # noqa: F401
