"""Keras 1.2.2 callbacks (``keras.callbacks``).

>>> from keraslike.callbacks import EarlyStopping, ModelCheckpoint
>>> cbks = [EarlyStopping(patience=2), ModelCheckpoint('w.h5', save_best_only=True)]
>>> # model.fit(X, y, validation_split=0.1, callbacks=cbks)
"""
from .core import (BaseLogger, Callback, CallbackList, History,  # noqa: F401
                             ProgbarLogger)
from .training import (CSVLogger, EarlyStopping, LambdaCallback,  # noqa: F401
                                 LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau,
                                 TerminateOnNaN)
from .extras import RemoteMonitor, TensorBoard  # noqa: F401
from keraslike.utils.generic_utils import Progbar  # noqa: F401  (Keras 1 path)

__all__ = ['Callback', 'CallbackList', 'BaseLogger', 'ProgbarLogger', 'History',
           'ModelCheckpoint', 'EarlyStopping', 'LearningRateScheduler', 'ReduceLROnPlateau',
           'CSVLogger', 'LambdaCallback', 'TerminateOnNaN', 'RemoteMonitor', 'TensorBoard']
