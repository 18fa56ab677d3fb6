"""The bench's plan and report: cold-start runs, the cold column, the wall-clock check.

Pure Python: no model is built; the runs are result dicts as ``runner.py``
prints them.
"""
import argparse

from keraslike.bench import cli, report


def _run(fw_id, workload='mlp', repeat=0, **fields):
    run = {'id': fw_id, 'workload': workload, 'repeat': repeat, 'ok': True}
    run.update(fields)
    return run


def _measured(fw_id, first_epoch, sps, wall_sps=None, **fields):
    return _run(fw_id, build_compile_s=1., first_epoch_s=first_epoch, train_sps=sps,
                train_cpu_sps=sps / 2, train_wall_sps=wall_sps or sps, predict_sps=2 * sps,
                peak_mb=100., **fields)


def test_cold_column_comes_from_cold_start_runs_for_keraslike_and_first_epoch_for_peers():
    runs = [_run('keraslike-DEFAULT', first_epoch_only=True, first_epoch_s=30., peak_mb=90.),
            _run('keraslike-DEFAULT', repeat=1, first_epoch_only=True, first_epoch_s=40.),
            _run('keraslike-DEFAULT', repeat=2, first_epoch_only=True, first_epoch_s=20.),
            _measured('keraslike-DEFAULT', 3., 1000.),
            _measured('torch', 5., 800.)]
    summary = report.summarize(runs)['mlp']
    assert summary['keraslike-DEFAULT']['cold_first_epoch_s'] == 30.   # median of 3 cold runs
    assert summary['keraslike-DEFAULT']['first_epoch_s'] == 3.          # the warm run's
    assert summary['keraslike-DEFAULT']['runs'] == 1
    assert summary['torch']['cold_first_epoch_s'] == 5.
    table = report.format_table(
        report.summarize(runs), _meta(), ['keraslike-DEFAULT', 'torch'], ['mlp'])
    header = next(line for line in table.splitlines() if line.startswith('workload'))
    assert 'cold 1st epoch s' in header
    row = next(line for line in table.splitlines() if line.startswith('mlp') and 'DEFAULT' in line)
    assert '30.0 (6.00x)' in row and '1000 (1.25x)' in row


def test_failed_cold_start_is_noted_and_the_measured_first_epoch_stands_in():
    runs = [_run('keraslike-JAX', first_epoch_only=True, ok=False, error='timed out after 9 s'),
            _measured('keraslike-JAX', 4., 1000.)]
    row = report.summarize(runs)['mlp']['keraslike-JAX']
    assert row['cold_first_epoch_s'] == 4.
    assert 'cold start failed: timed out' in row['note']


def test_timing_check_names_rows_whose_wall_clock_disagrees_with_the_epoch_timer():
    good = report.summarize([_measured('torch', 5., 1000., wall_sps=990.)])
    lines = report._timing_lines(good, ['mlp'])
    assert lines and 'within 1.0%' in lines[0]
    bad = report.summarize([_measured('torch', 5., 1000., wall_sps=800.),
                            _measured('keras3-jax', 5., 1000., wall_sps=1001.)])
    lines = report._timing_lines(bad, ['mlp'])
    assert 'more than 5%' in lines[0]
    assert len(lines) == 2 and 'mlp torch' in lines[1] and '-20%' in lines[1]


def test_plan_puts_a_cold_start_before_each_keraslike_run_and_none_before_peers(monkeypatch):
    monkeypatch.setattr(cli, 'probe_peers', lambda python: {'torch': '2.0', 'keras': '3.1',
                                                            'jax': '0.4'})
    monkeypatch.setattr(cli, 'available_modes', lambda: ['DEFAULT', 'JAX'])
    args = cli.parse_args(['--modes', 'DEFAULT', '--frameworks', 'keraslike,torch,torch-ftz'])
    plans = cli.plan_frameworks(args)
    assert [p[0] for p in plans] == ['keraslike-DEFAULT', 'torch', 'torch-ftz']
    assert plans[2][1] == {'framework': 'torch', 'flush_denormal': True}
    assert plans[1][1]['flush_denormal'] is False
    jobs = cli.plan_jobs(args, ['mlp', 'cnn'], plans)
    kinds = [(name, fw, bool(spec.get('first_epoch_only'))) for _, name, fw, spec, _ in jobs]
    assert kinds[:4] == [('mlp', 'keraslike-DEFAULT', True), ('mlp', 'keraslike-DEFAULT', False),
                         ('mlp', 'torch', False), ('mlp', 'torch-ftz', False)]
    # the next workload runs the frameworks in reverse order; the cold start stays first
    assert kinds[4:] == [('cnn', 'torch-ftz', False), ('cnn', 'torch', False),
                         ('cnn', 'keraslike-DEFAULT', True), ('cnn', 'keraslike-DEFAULT', False)]
    monkeypatch.setattr(cli, 'available_modes', lambda: ['DEFAULT', 'JAX', 'NUMBA', 'C'])
    default = cli.plan_frameworks(cli.parse_args(['--frameworks', 'keraslike']))
    assert [p[0] for p in default] == ['keraslike-DEFAULT', 'keraslike-JAX']
    every = cli.plan_frameworks(cli.parse_args(['--frameworks', 'keraslike', '--modes', 'all']))
    assert len(every) == 4
    cold_args = cli.parse_args(['--modes', 'DEFAULT', '--frameworks', 'keraslike', '--cold'])
    jobs = cli.plan_jobs(cold_args, ['mlp'], cli.plan_frameworks(cold_args))
    assert [bool(j[3].get('first_epoch_only')) for j in jobs] == [False]


def test_cache_folders_are_shared_by_a_cold_start_and_its_run_and_fresh_under_cold():
    args = argparse.Namespace(cold=False)
    spec = {'framework': 'keraslike', 'mode': 'DEFAULT'}
    cold = cli.cache_folder(args, '/c', 'mlp', 'keraslike-DEFAULT', 0, 1, spec)
    warm = cli.cache_folder(args, '/c', 'mlp', 'keraslike-DEFAULT', 0, 2, spec)
    assert cold == warm
    assert cli.cache_folder(args, '/c', 'mlp', 'keraslike-DEFAULT', 1, 7, spec) != warm
    args.cold = True
    assert cli.cache_folder(args, '/c', 'mlp', 'keraslike-DEFAULT', 0, 1, spec) != \
        cli.cache_folder(args, '/c', 'mlp', 'keraslike-DEFAULT', 0, 2, spec)
    assert cli.cache_folder(args, '/c', 'mlp', 'torch', 0, 1, {'framework': 'torch'}) is None


def _meta():
    return {'threads': 2, 'quick': False, 'epochs': 4, 'cold': False,
            'load_start': (0., 0., 0.), 'load_end': (0., 0., 0.), 'wall_s': 1., 'gemm': None}
