"""`python -m keraslike.run script.py args` and `keraslike-run` (issue 15.8): an unmodified
Keras 1-style script (written here, in the style of that era) runs with `keras` resolved to
keraslike, its argv, __main__, its folder on sys.path, NumPy's removed aliases, and its exit
status passed through."""
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent('''
    from __future__ import print_function
    import sys
    import numpy as np
    import keras
    from keras.models import Sequential
    from keras.layers.core import Dense, Activation
    import keras.layers.core as core_module
    from keras import backend as K
    from keras.utils import np_utils
    import keraslike, keraslike.layers, keraslike.layers.core, keraslike.backend
    import helper_next_to_script

    np.random.seed(1337)
    X = np.random.random((64, 4)).astype(np.float)
    labels = (X.sum(axis=1) > 2).astype(np.int)
    Y = np_utils.to_categorical(labels, 2)
    model = Sequential()
    model.add(Dense(8, input_dim=4))
    model.add(Activation('relu'))
    model.add(Dense(2))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='sgd')
    history = model.fit(X, Y, nb_epoch=1, batch_size=16, verbose=0)
    print('dtype', X.dtype, np.float is float, np.float(2))
    print('loss', len(history.history['loss']), np.isfinite(history.history['loss'][0]))
    print('same', keras is keraslike, Dense is keraslike.layers.core.Dense,
          keras.layers.Dense is keraslike.layers.Dense, core_module is keraslike.layers.core,
          K is keraslike.backend, K.image_dim_ordering())
    for name in KERAS1_MODULES:
        __import__(name)
        assert sys.modules[name] is sys.modules['keraslike' + name[5:]], name
    try:
        import keras.no_such_module
    except ImportError as e:
        print('missing', e.name)
    print('argv', sys.argv[1:], sys.argv[0] == __file__, __name__)
    print('helper', helper_next_to_script.VALUE)
    if __name__ == '__main__':
        sys.exit(int(sys.argv[1]))
''')

# the modules of Keras 1.2.2 that scripts import
KERAS1_MODULES = [
    'keras.activations', 'keras.callbacks', 'keras.constraints', 'keras.initializations',
    'keras.metrics', 'keras.models', 'keras.objectives', 'keras.optimizers',
    'keras.regularizers', 'keras.engine.topology', 'keras.engine.training',
    'keras.layers.advanced_activations', 'keras.layers.convolutional',
    'keras.layers.convolutional_recurrent', 'keras.layers.embeddings', 'keras.layers.local',
    'keras.layers.noise', 'keras.layers.normalization', 'keras.layers.pooling',
    'keras.layers.recurrent', 'keras.layers.wrappers', 'keras.preprocessing.image',
    'keras.preprocessing.sequence', 'keras.preprocessing.text', 'keras.utils.data_utils',
    'keras.utils.generic_utils', 'keras.utils.io_utils', 'keras.utils.layer_utils',
    'keras.utils.np_utils', 'keras.datasets.mnist', 'keras.datasets.cifar10',
    'keras.datasets.imdb', 'keras.wrappers.scikit_learn']


def write_script(folder, body):
    path = folder / 'old_keras1_script.py'
    path.write_text(body)
    return path


def run(cmd, cwd, **kwargs):
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    return subprocess.run(cmd, cwd=str(cwd), env=env, capture_output=True, text=True,
                          timeout=300, **kwargs)


@pytest.fixture(scope='module')
def script(tmp_path_factory):
    folder = tmp_path_factory.mktemp('keras1_script')
    (folder / 'helper_next_to_script.py').write_text('VALUE = 42\n')
    modules = 'import sys\nKERAS1_MODULES = %r\n' % (KERAS1_MODULES,)
    return write_script(folder, SCRIPT.replace('import sys\n', modules, 1))


def check_output(out, script, code):
    assert out.returncode == code, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == 'dtype float64 True 2.0'
    assert lines[1] == 'loss 1 True'
    assert lines[2] == 'same True True True True True th'
    assert lines[3] == 'missing keras.no_such_module'
    assert lines[4] == "argv ['%d', '--verbose', 'x y'] True __main__" % code
    assert lines[5] == 'helper 42'
    # np.float and np.int are restored with one warning each, however often used
    assert out.stderr.count('NumpyAliasWarning: np.float was removed') == 1, out.stderr
    assert out.stderr.count('NumpyAliasWarning: np.int was removed') == 1, out.stderr


def test_python_m_runs_an_unmodified_keras1_script(script, tmp_path):
    # run from another folder: the script's own folder must come first on sys.path
    out = run([sys.executable, '-m', 'keraslike.run', str(script), '3', '--verbose', 'x y'],
              cwd=tmp_path)
    check_output(out, script, 3)


def test_console_script_runs_it_too(script, tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), 'keraslike-run')
    if not os.path.exists(exe):
        exe = shutil.which('keraslike-run')
    if exe is None:
        pytest.skip('keraslike-run is not installed (pip install -e . registers it)')
    out = run([exe, str(script), '0', '--verbose', 'x y'], cwd=tmp_path)
    check_output(out, script, 0)


def test_uncaught_exception_prints_the_script_traceback_and_exits_1(tmp_path):
    path = write_script(tmp_path, textwrap.dedent('''
        import keras.backend as K
        def build():
            raise ValueError('bad shape %s' % K.image_dim_ordering())
        build()
    '''))
    out = run([sys.executable, '-m', 'keraslike.run', str(path)], cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.startswith('Traceback (most recent call last):'), out.stderr
    assert 'ValueError: bad shape th' in out.stderr
    assert 'old_keras1_script.py", line 5' in out.stderr  # the script's own frames ...
    assert 'runpy' not in out.stderr and 'keraslike/run.py' not in out.stderr  # ... only


def test_help_names_the_safe_mode_switch_and_bad_usage_exits_2(tmp_path):
    out = run([sys.executable, '-m', 'keraslike.run', '--help'], cwd=tmp_path)
    assert out.returncode == 0 and 'KERASLIKE_SAFE_MODE=0' in out.stdout
    assert run([sys.executable, '-m', 'keraslike.run'], cwd=tmp_path).returncode == 2
    missing = run([sys.executable, '-m', 'keraslike.run', 'nowhere.py'], cwd=tmp_path)
    assert missing.returncode == 2 and 'nowhere.py' in missing.stderr
