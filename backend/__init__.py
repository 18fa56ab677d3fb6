"""keraslike.backend: the Keras 1.2.2 backend API implemented on PyTensor.

Use it as Keras 1 code does::

    from keraslike import backend as K
    x = K.placeholder(shape=(None, 784))
    y = K.softmax(K.dot(x, K.variable(w)))
    f = K.function([x], [y])

This package is the only part of keraslike that imports PyTensor. Its
modules are in three tiers: the Keras 1 backend API here (``variables``,
``math_ops``, ``shape_ops``, ``nn_ops``, ``random_ops``, ``control_flow``,
``conv``, ``pool``, ``rnn``, ``ctc``, ``sparse``, ``config``, and Keras 1's
``common`` and ``theano_backend`` paths); ``ops/``, the custom Ops with
their NumPy, Numba and JAX kernels; and ``runtime/``, what compiles and
runs graphs (``K.function``, the mode policy, caches, threads).
"""
from .config import (backend, cast_to_floatx, config_dir, epsilon, floatx, get_uid,
                     image_data_format, image_dim_ordering, is_keras_tensor,
                     legacy_weight_ordering, reset_uids, safe_mode, set_epsilon, set_floatx,
                     set_image_data_format, set_image_dim_ordering,
                     set_legacy_weight_ordering, set_mode, set_safe_mode, using_mode)
from .variables import (batch_get_value, batch_set_value, cast, constant, count_params,
                        dtype, eval, eye, get_value, identity, get_variable_shape, int_shape,
                        is_variable, moving_average_update, ndim, ones, ones_like,
                        placeholder, print_tensor, random_normal_variable,
                        random_uniform_variable, set_value, shape, update, update_add,
                        update_sub, variable, zeros, zeros_like)
from .math_ops import (abs, all, any, argmax, argmin, batch_dot, batch_normalization, clip,
                       cos, dot, equal, exp, gather, greater, greater_equal, l2_normalize,
                       less, less_equal, lesser, lesser_equal, log, logsumexp, max, maximum,
                       mean, min, minimum, normalize_batch_in_training, not_equal, pow, prod,
                       round, sign, sin, sqrt, square, std, sum, transpose, var)
from .shape_ops import (arange, asymmetric_spatial_2d_padding, asymmetric_temporal_padding,
                        batch_flatten, concatenate, expand_dims, flatten, is_explicit_shape,
                        one_hot, pattern_broadcast, permute_dimensions, repeat,
                        repeat_elements, resize_images, resize_volumes, reshape, reverse,
                        spatial_2d_padding, spatial_3d_padding, squeeze, stack,
                        temporal_padding, tile)
from .nn_ops import (binary_crossentropy, categorical_crossentropy, elu, hard_sigmoid,
                     in_top_k, log_softmax, relu, sigmoid, softmax, softplus, softsign,
                     sparse_categorical_crossentropy, tanh)
from .random_ops import dropout, random_binomial, random_normal, random_uniform
from .control_flow import (foldl, foldr, gradients, in_test_phase, in_train_phase,
                           learning_phase, map_fn, set_learning_phase, stop_gradient, switch)
from .conv import (atrous_conv2d, bias_add, conv1d, conv2d, conv3d, deconv2d,
                   separable_conv2d)
from .pool import pool1d, pool2d, pool3d
# recurrence: rnn on scan, and fused LSTM/GRU/SimpleRNN loops
from .rnn import rnn
from .ops.rnn import rnn_sequence, rnn_sequence_supported
from .ctc import ctc_batch_cost, ctc_cost, ctc_create_skip_idxs, ctc_interleave_blanks
from .sparse import is_sparse, to_dense
from .runtime.function import Function, function
from .runtime.modes import mode
from .runtime.threads import set_blas_threads
