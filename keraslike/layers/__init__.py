"""All layers, importable as ``from keraslike.layers import Dense, Dropout, ...``."""
from keraslike.engine import graph_config as _graph_config
from keraslike.engine.topology import (Input, InputLayer, InputSpec, Layer, Merge,  # noqa: F401
                                       merge)
# helpers Keras 1's `from .core import *` etc. made importable from keras.layers
from keraslike.utils.generic_utils import func_dump, func_load, get_from_module  # noqa: F401
from keraslike.utils.np_utils import conv_input_length, conv_output_length  # noqa: F401
from .core import (Activation, ActivityRegularization, Dense, Dropout, Flatten,  # noqa: F401
                   Highway, Lambda, Masking, MaxoutDense, Permute, RepeatVector, Reshape,
                   SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, TimeDistributedDense)
# convolution, pooling, normalization, noise, advanced activations, local
from .convolutional import (AtrousConv1D, AtrousConv2D, AtrousConvolution1D,  # noqa: F401
                            AtrousConvolution2D, Conv1D, Conv2D, Conv2DTranspose, Conv3D,
                            Convolution1D, Convolution2D, Convolution3D, Deconv2D,
                            Deconvolution2D, SeparableConv2D, SeparableConvolution2D)
from .convolutional_shapes import (Cropping1D, Cropping2D, Cropping3D,  # noqa: F401
                                   UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D,
                                   ZeroPadding2D, ZeroPadding3D)
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D,  # noqa: F401
                      AvgPool1D, AvgPool2D, AvgPool3D, GlobalAveragePooling1D,
                      GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalAvgPool1D,
                      GlobalAvgPool2D, GlobalAvgPool3D, GlobalMaxPool1D, GlobalMaxPool2D,
                      GlobalMaxPool3D, GlobalMaxPooling1D, GlobalMaxPooling2D,
                      GlobalMaxPooling3D, MaxPool1D, MaxPool2D, MaxPool3D, MaxPooling1D,
                      MaxPooling2D, MaxPooling3D)
from .local import LocallyConnected1D, LocallyConnected2D  # noqa: F401
from .normalization import BatchNormalization  # noqa: F401
from .noise import GaussianDropout, GaussianNoise  # noqa: F401
from .advanced_activations import (ELU, LeakyReLU, ParametricSoftplus, PReLU,  # noqa: F401
                                   SReLU, ThresholdedReLU)
# recurrent, embeddings, wrappers
from .embeddings import Embedding  # noqa: F401
from .recurrent import (GRU, LSTM, Recurrent, SimpleRNN,  # noqa: F401
                        time_distributed_dense)
from .wrappers import Bidirectional, TimeDistributed, Wrapper  # noqa: F401
from .convolutional_recurrent import ConvLSTM2D  # noqa: F401

# Layer configs name their class; the engine, which cannot import this package (it is built
# on the engine), rebuilds them from this namespace, custom objects aside.
_graph_config.register_layer_namespace(globals())
