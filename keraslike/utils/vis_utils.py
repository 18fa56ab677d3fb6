"""Keras 2 name of :mod:`keraslike.utils.visualize_util`: ``plot_model`` and ``model_to_dot``.

>>> from keraslike.utils.vis_utils import plot_model
>>> # plot_model(model, to_file='model.png', show_shapes=True)
"""
from .visualize_util import model_to_dot, plot  # noqa: F401

plot_model = plot

__all__ = ['model_to_dot', 'plot', 'plot_model']
