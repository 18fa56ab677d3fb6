"""All layers, importable as ``from keraslike.layers import Dense, Dropout, ...``."""
from keraslike.engine.topology import (Input, InputLayer, InputSpec, Layer, Merge,  # noqa: F401
                                       merge)
from .core import (Activation, ActivityRegularization, Dense, Dropout, Flatten,  # noqa: F401
                   Highway, Lambda, Masking, MaxoutDense, Permute, RepeatVector, Reshape,
                   SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, TimeDistributedDense)
# convolution, pooling, normalization, noise, advanced activations, local (issue 5)
# recurrent, embeddings, wrappers (issue 6)
