"""A child-process prologue that pauses after each layer group a save writes.

Tests that SIGKILL a process in the middle of ``save_weights``/``save`` put
``PROLOGUE`` at the top of the child's script and set ``SLOW_SAVE_PAUSE``
(seconds) in its environment: the library has no test-only hook for this.
"""
PROLOGUE = '''
import os, time
from keraslike.engine import saving_hdf5
_write_weight_list = saving_hdf5.write_weight_list
def _slow_write_weight_list(group, weights):
    _write_weight_list(group, weights)
    time.sleep(float(os.environ['SLOW_SAVE_PAUSE']))
saving_hdf5.write_weight_list = _slow_write_weight_list
'''


def child_env(pause):
    """The child's environment: this one plus the pause after each layer group."""
    import os
    return dict(os.environ, SLOW_SAVE_PAUSE=str(pause))
