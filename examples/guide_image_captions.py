"""The Keras 1 guide's image-caption architecture (convnet + GRU), at a small size.

Same structure as the guide (Convolution2D/MaxPooling2D image model repeated over the
caption, Embedding + GRU + TimeDistributedDense language model, Merge concat, GRU,
softmax over the vocabulary); images are 3x32x32, the vocabulary 200 words and the data
random, so it runs in a minute or two.
"""
import numpy as np

from keraslike.layers import (Activation, Convolution2D, Dense, Embedding, Flatten, GRU,
                              MaxPooling2D, Merge, RepeatVector, TimeDistributedDense)
from keraslike.models import Sequential
from keraslike.utils.np_utils import to_categorical

max_caption_len = 16
vocab_size = 200

image_model = Sequential()
image_model.add(Convolution2D(8, 3, 3, border_mode='valid', input_shape=(3, 32, 32)))
image_model.add(Activation('relu'))
image_model.add(Convolution2D(8, 3, 3))
image_model.add(Activation('relu'))
image_model.add(MaxPooling2D(pool_size=(2, 2)))
image_model.add(Flatten())
image_model.add(Dense(32))
# (the guide loads pre-trained weights here: image_model.load_weights('weight_file.h5'))

language_model = Sequential()
language_model.add(Embedding(vocab_size, 32, input_length=max_caption_len))
language_model.add(GRU(output_dim=32, return_sequences=True))
language_model.add(TimeDistributedDense(32))

image_model.add(RepeatVector(max_caption_len))

model = Sequential()
model.add(Merge([image_model, language_model], mode='concat', concat_axis=-1))
model.add(GRU(64, return_sequences=False))
model.add(Dense(vocab_size))
model.add(Activation('softmax'))

model.compile(loss='categorical_crossentropy', optimizer='rmsprop')

images = np.random.random((64, 3, 32, 32))
partial_captions = np.random.randint(vocab_size, size=(64, max_caption_len))
next_words = to_categorical(np.random.randint(vocab_size, size=64), vocab_size)
model.fit([images, partial_captions], next_words, batch_size=16, nb_epoch=2)
print('caption model output shape:', model.output_shape)
