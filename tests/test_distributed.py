"""Data-parallel training on MPI: two ranks equal one process on the same global batches."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip('mpi4py')
MPIRUN = shutil.which('mpirun')
pytestmark = pytest.mark.skipif(MPIRUN is None, reason='mpirun (OpenMPI) is not installed')
SCRIPT = os.path.join(os.path.dirname(__file__), 'mpi', 'train_replicas.py')


def _mpirun(n, *args, timeout=600):
    cmd = [MPIRUN, '--allow-run-as-root', '--oversubscribe', '-n', str(n),
           '-x', 'OMP_NUM_THREADS=1', sys.executable, SCRIPT] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _load(path):
    data = np.load(path)
    weights = [data['arr_%d' % i] for i in range(len([k for k in data if k.startswith('arr_')]))]
    return weights, data


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    single = tmp_path_factory.mktemp('single')
    subprocess.run([sys.executable, SCRIPT, str(single), 'plain'], check=True, timeout=600)
    double = tmp_path_factory.mktemp('double')
    proc = _mpirun(2, str(double), 'distributed')
    assert proc.returncode == 0, proc.stderr[-3000:]
    return _load(single / 'rank0.npz'), _load(double / 'rank0.npz'), _load(double / 'rank1.npz')


def test_two_ranks_match_one_process(runs):
    (w1, d1), (w2, d2), _ = runs
    for a, b in zip(w1, w2):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    # logged metrics are the global ones
    np.testing.assert_allclose(d1['loss'], d2['loss'], rtol=1e-4)
    np.testing.assert_allclose(d1['val_mae'], d2['val_mae'], rtol=1e-4)
    np.testing.assert_allclose(d1['evaluate'], d2['evaluate'], rtol=1e-4)


def test_replicas_stay_identical(runs):
    _, (w0, d0), (w1, d1) = runs
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(d0['loss'], d1['loss'])


def test_a_failing_rank_ends_the_job(tmp_path):
    proc = _mpirun(2, str(tmp_path), 'distributed', '1', timeout=300)
    assert proc.returncode != 0
    assert 'rank 1 fails on purpose' in proc.stderr + proc.stdout


def test_shard_bounds_cover_the_batch():
    from keraslike.distributed import shard
    for n in (0, 1, 5, 32, 33):
        for ranks in (1, 2, 3):
            bounds = [shard(n, r, ranks) for r in range(ranks)]
            assert bounds[0][0] == 0 and bounds[-1][1] == n
            assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
            assert max(b - a for a, b in bounds) - min(b - a for a, b in bounds) <= 1
