"""Keras 1's ``keras.engine.topology`` names: Layer, InputSpec, Node, InputLayer, Input,
Container, Merge, merge.

The code lives in small modules (base_layer, node, input_layer, container,
merge_layer); this module gathers them under the Keras 1 path.
"""
from .base_layer import InputSpec, Layer, object_list_uid, to_list  # noqa: F401
from .container import Container, get_source_inputs  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .merge_layer import Merge, merge  # noqa: F401
from .node import Node  # noqa: F401
# Keras 1's topology.py imported these helpers; code imports them from here
from keraslike.utils.generic_utils import func_dump, func_load  # noqa: F401
from keraslike.utils.io_utils import ask_to_proceed_with_overwrite  # noqa: F401
