"""The engine: layers and their graph (topology) and training (Model)."""
from .topology import Input, InputLayer, InputSpec, Layer, get_source_inputs  # noqa: F401
from .training import Model  # noqa: F401
