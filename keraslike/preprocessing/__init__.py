"""Data preprocessing (``keras.preprocessing``): ``sequence``, ``text`` and ``image``.

>>> from keraslike.preprocessing.sequence import pad_sequences
>>> from keraslike.preprocessing.text import Tokenizer
>>> from keraslike.preprocessing.image import ImageDataGenerator
"""
