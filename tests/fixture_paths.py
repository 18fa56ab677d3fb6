"""Where the tests' data files live: inside the repository, next to the tests."""
import os

#: Files written by real Keras 1.2.2 on Theano, with their inputs and predictions (manifest.json).
KERAS1_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'keras1')
