"""Keras 1's ``keras.backend.common`` path: the configuration functions (see config.py)."""
from .config import (cast_to_floatx, epsilon, floatx, get_uid,  # noqa: F401
                     image_dim_ordering, is_keras_tensor, legacy_weight_ordering, reset_uids,
                     set_epsilon, set_floatx, set_image_dim_ordering,
                     set_legacy_weight_ordering)
