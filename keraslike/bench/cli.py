"""Command line of ``python -m keraslike.bench``: plan the runs, run each in a subprocess, report.

Every (workload, framework) pair runs in a fresh process (``runner.py``)
with the same thread limit; the framework order alternates from one
workload (and repeat) to the next so that drift in the machine's load hits
all alike. keraslike runs under this interpreter, once per execution mode;
the peers run under ``--peer-python`` (PyTorch's CPU wheel may exist for
another Python version than the one keraslike runs on).

Each keraslike run is preceded by a cold start: a process with empty
compile caches (PyTensor's, Numba's, JAX's, in a fresh folder) that runs
to the end of the first epoch, giving the "cold 1st epoch" column. The
measured run then uses the caches that process left, as a user's second
run would. The peers keep no compile cache across processes by default
(Keras 3 leaves JAX's persistent cache off; PyTorch has none), so their
first epoch is already cold. ``torch-ftz`` is plain PyTorch with denormal
floats flushed to zero, which PyTorch does not do by default: RMSprop's and
Adadelta's running averages decay into denormals on weights whose gradient
stays near zero, and every operation on them is many times slower.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from .workloads import ORDER, WORKLOADS

PEERS = ('keras3-jax', 'keras3-torch', 'torch', 'torch-ftz')
MODES = ('DEFAULT', 'JAX', 'NUMBA', 'C')
DEFAULT_MODES = ('DEFAULT', 'JAX')


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog='python -m keraslike.bench',
        description='Training and inference speed of keraslike (each execution mode) '
                    'side by side with Keras 3 (JAX, PyTorch) and plain PyTorch.')
    p.add_argument('--workloads', default=','.join(ORDER),
                   help='comma-separated, from: %s (default: all)' % ', '.join(ORDER))
    p.add_argument('--frameworks', default='keraslike,' + ','.join(PEERS),
                   help='comma-separated, from: keraslike, %s (default: all importable)'
                        % ', '.join(PEERS))
    p.add_argument('--modes', default=None,
                   help='keraslike execution modes, from: %s, or "all" (default: DEFAULT '
                        'and JAX, the modes a user gets without choosing and with '
                        'KERASLIKE_CPU_KERNELS=0 or on a GPU)' % ', '.join(MODES))
    p.add_argument('--epochs', type=int, default=4,
                   help='epochs per run; the steady state is the median of all but the first '
                        '(default 4)')
    p.add_argument('--samples', type=int, default=None,
                   help='training samples per workload (default: per workload; smaller with '
                        '--quick)')
    p.add_argument('--quick', action='store_true',
                   help='small sample counts: the whole run takes a few minutes')
    p.add_argument('--threads', type=int, default=None,
                   help='CPU threads for every framework (default: the CPUs this process may '
                        'use; 1 with --quick)')
    p.add_argument('--peer-python', default=sys.executable,
                   help='interpreter for the peers (default: this one)')
    p.add_argument('--repeat', type=int, default=1,
                   help='run everything this many times (alternating order); report medians')
    p.add_argument('--cold', action='store_true',
                   help="every keraslike run starts with empty compile caches (PyTensor's, "
                        "Numba's, JAX's) in a temporary folder; without it, only the separate "
                        "cold-start run of each row does")
    p.add_argument('--timeout', type=float, default=None,
                   help='seconds allowed per run (default 1200; 400 with --quick, as a '
                        'cold NUMBA compile takes minutes)')
    p.add_argument('--json', default=None, help='write all results to this JSON file')
    p.add_argument('--plot', default=None, help='write a bar chart (PNG) to this file')
    args = p.parse_args(argv)
    if args.epochs < 2:
        p.error('--epochs must be at least 2 (the first epoch includes compilation)')
    if args.threads is None:
        # one thread in a quick run: multi-threaded BLAS pools spin-wait and slow down
        # many times over when another process is busy, which a quick check should not wait on
        args.threads = 1 if args.quick else (
            len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity')
            else (os.cpu_count() or 1))
    if args.timeout is None:
        args.timeout = 400. if args.quick else 1200.
    return args


def _split(text):
    return [t.strip() for t in text.split(',') if t.strip()]


def available_modes():
    """keraslike's execution modes usable under this interpreter.

    DEFAULT is what a user gets without choosing: JAX, except that on a CPU
    graphs with convolution/pooling gradients or recurrent loops train in NUMBA.
    """
    import importlib.util
    modes = ['DEFAULT']
    if importlib.util.find_spec('jax') is not None:
        modes.append('JAX')
    if importlib.util.find_spec('numba') is not None:
        modes.append('NUMBA')
    if shutil.which('g++') or shutil.which('gcc') or shutil.which('c++'):
        modes.append('C')
    return modes


_PROBE = ('import importlib.util as u, json\n'
          'from importlib import metadata as m\n'
          'def v(n):\n'
          '    try: return m.version(n)\n'
          '    except Exception: return None\n'
          'print(json.dumps({n: v(n) if u.find_spec(n) else None '
          'for n in ("torch", "keras", "jax")}))')


def probe_peers(python):
    """{package: version or None} for torch, keras and jax under ``python``."""
    try:
        out = subprocess.run([python, '-c', _PROBE], capture_output=True, text=True, timeout=60)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return {}


def _major(version):
    try:
        return int(version.split('.')[0])
    except ValueError:
        return 0


def plan_frameworks(args):
    """[(id, spec fields, python, why-unavailable or None)] in the requested order."""
    wanted = _split(args.frameworks)
    unknown = set(wanted) - {'keraslike'} - set(PEERS)
    if unknown:
        raise SystemExit('Unknown framework(s): %s' % ', '.join(sorted(unknown)))
    plans = []
    if 'keraslike' in wanted:
        have = available_modes()
        if args.modes and args.modes.lower() == 'all':
            modes = have
        elif args.modes:
            modes = [m.upper() for m in _split(args.modes)]
        else:   # NUMBA and C are never chosen by default; their cold compiles take minutes
            modes = [m for m in have if m in DEFAULT_MODES]
        for mode in modes:
            why = None if mode in have else 'mode %s is not available here' % mode
            plans.append(('keraslike-' + mode, {'framework': 'keraslike', 'mode': mode},
                          sys.executable, why))
    peers = [p for p in PEERS if p in wanted]
    if peers:
        found = probe_peers(args.peer_python)
        keras_ok = bool(found.get('keras')) and _major(found['keras']) >= 3
        for peer in peers:
            if peer.startswith('torch'):
                why = None if found.get('torch') else 'torch is not importable'
                spec = {'framework': 'torch', 'flush_denormal': peer == 'torch-ftz'}
            else:
                backend = peer.split('-')[1]
                why = None if keras_ok and found.get(backend) else \
                    'keras>=3 with %s is not importable' % backend
                spec = {'framework': 'keras3', 'backend': backend}
            if why:
                why += ' under %s (see --peer-python)' % args.peer_python
            plans.append((peer, spec, args.peer_python, why))
    return plans


def child_env(threads, spec, cache_root=None):
    """The environment of one run: thread limits for every pool, the backend, the caches."""
    env = dict(os.environ)
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS',
                'NUMBA_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS'):
        env[var] = str(threads)
    xla = env.get('XLA_FLAGS', '')
    if threads == 1:
        xla += ' --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1'
    env['XLA_FLAGS'] = xla.strip()
    env['TF_CPP_MIN_LOG_LEVEL'] = '2'
    # imports as users see them: with cached bytecode (some machines set this variable,
    # which makes every import of jax, torch or pytensor recompile its modules)
    env.pop('PYTHONDONTWRITEBYTECODE', None)
    if spec['framework'] == 'keras3':
        env['KERAS_BACKEND'] = spec['backend']
    if spec['framework'] == 'keraslike':
        env.pop('KERASLIKE_MODE', None)
        if spec['mode'] != 'DEFAULT':
            env['KERASLIKE_MODE'] = spec['mode']
        if cache_root:
            env['PYTENSOR_FLAGS'] = ','.join(
                f for f in [env.get('PYTENSOR_FLAGS', ''), 'base_compiledir=' + cache_root] if f)
            env['NUMBA_CACHE_DIR'] = os.path.join(cache_root, 'numba')
            env['KERASLIKE_JAX_CACHE'] = os.path.join(cache_root, 'jax')
    else:
        # peers need only keraslike.bench, importable from the source tree
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env['PYTHONPATH'] = os.pathsep.join(p for p in [root, env.get('PYTHONPATH')] if p)
    return env


def run_child(python, spec, env, timeout):
    """Run ``runner.py`` with ``spec``; returns its result dict (``ok`` False on failure)."""
    spec = dict(spec, t_spawn=time.time())
    cmd = [python, '-m', 'keraslike.bench.runner', json.dumps(spec)]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return dict(spec, ok=False, error='timed out after %.0f s' % timeout)
    for line in proc.stdout.splitlines():
        if line.startswith('BENCH_RESULT '):
            return json.loads(line[len('BENCH_RESULT '):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-6:]
    return dict(spec, ok=False, error='exit %d: %s' % (proc.returncode, ' | '.join(tail)))


def plan_jobs(args, workloads, plans):
    """[(repeat, workload, framework id, spec, python)] in run order.

    The framework order alternates from one workload (and repeat) to the next;
    each keraslike run is preceded by its cold start (``first_epoch_only``),
    unless ``--cold`` makes every run cold.
    """
    jobs = []
    for r in range(args.repeat):
        for i, name in enumerate(workloads):
            order = list(plans) if (i + r) % 2 == 0 else list(reversed(plans))
            for fw_id, spec, python, _ in order:
                if spec['framework'] == 'keraslike' and not args.cold:
                    jobs.append((r, name, fw_id, dict(spec, first_epoch_only=True), python))
                jobs.append((r, name, fw_id, spec, python))
    return jobs


def cache_folder(args, cache_root, workload, fw_id, repeat, job_number, spec):
    """The compile-cache folder of one keraslike run (None for a peer).

    A cold start and the measured run after it share a folder, so the measured
    run finds warm caches; with ``--cold`` every run gets a fresh one.
    """
    if spec['framework'] != 'keraslike':
        return None
    name = '%s-%s-%d' % (workload, fw_id, repeat)
    if args.cold:
        name += '-%d' % job_number
    return os.path.join(cache_root, name)


def main(argv=None):
    from . import report
    args = parse_args(argv)
    t_start = time.time()
    load_start = os.getloadavg()
    names = _split(args.workloads)
    bad = [n for n in names if n not in WORKLOADS]
    if bad:
        raise SystemExit('Unknown workload(s): %s; expected %s' % (', '.join(bad),
                                                                  ', '.join(ORDER)))
    plans = plan_frameworks(args)
    usable = [p for p in plans if p[3] is None]
    skipped = {p[0]: p[3] for p in plans if p[3] is not None}
    workloads, unavailable = [], {}
    for name in names:
        ok, why = WORKLOADS[name].available()
        (workloads.append(name) if ok else unavailable.__setitem__(name, why))
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    for fw, why in skipped.items():
        log('skipping %s: %s' % (fw, why))
    for name, why in unavailable.items():
        log('workload %s unavailable: %s' % (name, why))

    cache_root = tempfile.mkdtemp(prefix='keraslike-bench-caches-')
    gemm = run_child(sys.executable, {'framework': 'gemm', 'threads': args.threads},
                     child_env(args.threads, {'framework': 'gemm'}), 300)
    jobs = plan_jobs(args, workloads, usable)
    results = []
    for k, (r, name, fw_id, spec, python) in enumerate(jobs, 1):
        w = WORKLOADS[name]
        full = dict(spec, workload=name, samples=args.samples or w.samples(args.quick),
                    epochs=args.epochs, threads=args.threads)
        root = cache_folder(args, cache_root, name, fw_id, r, k, spec)
        t = time.time()
        res = run_child(python, full, child_env(args.threads, full, root), args.timeout)
        res.update(id=fw_id, repeat=r)
        results.append(res)
        log('[%d/%d] %-12s %-16s %s (%.0f s)' % (
            k, len(jobs), name, fw_id + (' cold' if spec.get('first_epoch_only') else ''),
            'ok' if res.get('ok') else 'FAILED: ' + res.get('error', ''), time.time() - t))
    shutil.rmtree(cache_root, ignore_errors=True)
    meta = {'threads': args.threads, 'quick': args.quick, 'epochs': args.epochs,
            'repeat': args.repeat, 'cold': args.cold, 'python': sys.version.split()[0],
            'peer_python': args.peer_python, 'cpus': os.cpu_count(),
            'load_start': load_start, 'load_end': os.getloadavg(),
            'wall_s': time.time() - t_start, 'skipped': skipped, 'unavailable': unavailable,
            'gemm': gemm}
    summary = report.summarize(results)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'meta': meta, 'summary': summary, 'runs': results}, f, indent=1)
        log('wrote %s' % args.json)
    print(report.format_table(summary, meta, [p[0] for p in usable], workloads))
    if args.plot:
        report.plot(summary, [p[0] for p in usable], workloads, args.plot, meta)
        log('wrote %s' % args.plot)
    return 0
