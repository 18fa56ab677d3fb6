"""Datasets (``keras.datasets``): Keras 1's loaders reading ``~/.keras/datasets/``, plus
``digits`` (bundled with scikit-learn, no download).

>>> from keraslike.datasets import mnist, cifar10, cifar100, imdb, reuters, digits
"""
