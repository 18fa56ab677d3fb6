"""Tables and charts from benchmark results: each figure beside its ratio to the best peer.

A ratio is ``value / best peer's value`` in the same column: above 1 is
better for samples/s, below 1 is better for seconds and megabytes. The best
peer is the best of Keras 3 (JAX), Keras 3 (PyTorch) and plain PyTorch in
that column, for that workload.

"cold 1st epoch s" is the time from process start to the end of the first
epoch with empty compile caches (keraslike's separate cold-start run; a
peer's own run, since no peer keeps a compile cache between processes by
default). The other columns come from the measured run, which for
keraslike finds the caches its cold start left, as a user's second run does.
"""
from .workloads import mlp_flops_per_sample

# (key, header, higher is better, format)
COLUMNS = (
    ('build_compile_s', 'build+compile s', False, '%.1f'),
    ('cold_first_epoch_s', 'cold 1st epoch s', False, '%.1f'),
    ('first_epoch_s', '1st epoch s', False, '%.1f'),
    ('train_sps', 'train samples/s', True, '%.0f'),
    ('train_cpu_sps', 'train/CPU-s', True, '%.0f'),
    ('predict_sps', 'predict samples/s', True, '%.0f'),
    ('peak_mb', 'peak MB', False, '%.0f'),
)
PEER_PREFIXES = ('keras3', 'torch')
# the epoch callbacks' samples/s and a plain wall clock around the same epochs may differ
# by the work between epochs (shuffling, callbacks); more than this is reported
TIMING_TOLERANCE = 0.05


def _median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else 0.5 * (values[mid - 1] + values[mid])


def is_peer(fw_id):
    return fw_id.startswith(PEER_PREFIXES)


def summarize(runs):
    """{workload: {framework id: {column: median over repeats, 'error': ...}}}.

    Cold-start runs (``first_epoch_only``) give only the cold column; where a
    framework has none (the peers, or ``--cold``, where every run is cold),
    the cold column is the measured runs' first epoch.
    """
    grouped = {}
    for run in runs:
        grouped.setdefault(run['workload'], {}).setdefault(run['id'], []).append(run)
    summary = {}
    for workload, by_fw in grouped.items():
        summary[workload] = {}
        for fw_id, all_runs in by_fw.items():
            cold = [r for r in all_runs if r.get('first_epoch_only')]
            fw_runs = [r for r in all_runs if not r.get('first_epoch_only')]
            ok = [r for r in fw_runs if r.get('ok')]
            row = {'runs': len(fw_runs), 'ok_runs': len(ok)}
            if ok:
                for key, _, _, _ in COLUMNS:
                    row[key] = _median([r.get(key) for r in ok])
                cold_ok = [r for r in cold if r.get('ok')] or ok
                row['cold_first_epoch_s'] = _median([r['first_epoch_s'] for r in cold_ok])
                if cold and not any(r.get('ok') for r in cold):
                    row['note'] = 'cold start failed: ' + cold[-1].get('error', 'failed')
                row['train_wall_sps'] = _median([r.get('train_wall_sps') for r in ok])
                row['mode'] = ok[0].get('mode')
                if ok[0].get('train_mode') and ok[0]['train_mode'] != ok[0].get('mode'):
                    row['note'] = 'trained in %s mode (%s)' % (
                        ok[0]['train_mode'], ok[0].get('fallback_reason', 'fallback'))
            else:
                row['error'] = fw_runs[-1].get('error', 'failed')
            summary[workload][fw_id] = row
    return summary


def best_peer(rows, key, higher):
    values = [(row[key], fw) for fw, row in rows.items()
              if is_peer(fw) and row.get(key) is not None]
    if not values:
        return None, None
    return (max if higher else min)(values)


def _cell(row, key, fmt, best):
    value = row.get(key)
    if value is None:
        return '-'
    text = fmt % value
    if best and best > 0:
        text += ' (%.2fx)' % (value / best)
    return text


def format_table(summary, meta, frameworks, workloads):
    """The text table printed at the end of a run, with the roofline and the load."""
    lines = []
    gemm = (meta.get('gemm') or {}).get('gemm_gflops')
    lines.append('keraslike benchmark: %d thread(s), %s samples, %d epochs%s; load avg %s -> %s'
                 % (meta['threads'], 'quick' if meta['quick'] else 'full', meta['epochs'],
                    ', cold caches' if meta.get('cold') else '',
                    '/'.join('%.1f' % v for v in meta['load_start']),
                    '/'.join('%.1f' % v for v in meta['load_end'])))
    if gemm:
        lines.append('float32 GEMM roofline (NumPy, %d thread(s)): %.1f GFLOP/s; MLP-shaped '
                     '128x784x512: %.1f GFLOP/s'
                     % (meta['threads'], gemm, meta['gemm']['gemm_shapes']['128x784x512']))
    lines.append('(x) = ratio to the best peer in that column: higher is better for samples/s, '
                 'lower for s and MB')
    headers = ['workload', 'framework'] + [h for _, h, _, _ in COLUMNS]
    table = []
    for workload in workloads:
        rows = summary.get(workload, {})
        bests = {key: best_peer(rows, key, higher)[0] for key, _, higher, _ in COLUMNS}
        for fw in frameworks:
            row = rows.get(fw)
            if row is None:
                continue
            if 'error' in row:
                table.append([workload, fw, 'FAILED: ' + row['error'][:90]])
                continue
            table.append([workload, fw] + [_cell(row, key, fmt, bests[key])
                                           for key, _, _, fmt in COLUMNS])
    widths = [max(len(str(r[i])) for r in [headers] + [t for t in table if len(t) == len(headers)])
              for i in range(len(headers))]
    fmt_row = lambda r: '  '.join(str(c).rjust(w) if i > 1 else str(c).ljust(w)  # noqa: E731
                                  for i, (c, w) in enumerate(zip(r, widths)))
    lines.append(fmt_row(headers))
    lines.append('  '.join('-' * w for w in widths))
    for r in table:
        lines.append(fmt_row(r) if len(r) == len(headers) else '  '.join(r))
    for workload in workloads:
        for fw, row in sorted(summary.get(workload, {}).items()):
            if row.get('note'):
                lines.append('note: %s %s %s' % (workload, fw, row['note'][:160]))
    lines.extend(_timing_lines(summary, workloads))
    lines.extend(_mlp_lines(summary, meta, gemm))
    for name, why in sorted(meta.get('unavailable', {}).items()):
        lines.append('workload %s: unavailable (%s)' % (name, why))
    for fw, why in sorted(meta.get('skipped', {}).items()):
        lines.append('framework %s: skipped (%s)' % (fw, why))
    lines.append('total wall time %.0f s' % meta['wall_s'])
    return '\n'.join(lines)


def _timing_lines(summary, workloads):
    """The check of the samples/s column against a plain wall clock around the same epochs."""
    worst, off = 0., []
    for workload in workloads:
        for fw, row in sorted(summary.get(workload, {}).items()):
            if row.get('train_sps') and row.get('train_wall_sps'):
                dev = row['train_wall_sps'] / row['train_sps'] - 1.
                worst = max(worst, abs(dev))
                if abs(dev) > TIMING_TOLERANCE:
                    off.append('  %s %s: epoch timer %.0f, wall clock %.0f samples/s (%+.0f%%)'
                               % (workload, fw, row['train_sps'], row['train_wall_sps'],
                                  100 * dev))
    if not worst:
        return []
    if off:
        return ['timing check: these rows differ from a plain wall clock around the steady '
                'epochs by more than %.0f%%:' % (100 * TIMING_TOLERANCE)] + off
    return ['timing check: train samples/s from a plain wall clock around the steady epochs '
            'is within %.1f%% of the epoch timer on every row' % (100 * worst)]


def _mlp_lines(summary, meta, gemm):
    rows = summary.get('mlp')
    if not rows or not gemm:
        return []
    flops = mlp_flops_per_sample()
    out = ['mlp: %.2f MFLOP per sample (forward + backward); fraction of the GEMM roofline '
           'achieved (wall / CPU time):' % (flops / 1e6)]
    for fw, row in rows.items():
        if row.get('train_sps'):
            wall = row['train_sps'] * flops / 1e9 / gemm
            # CPU time: the roofline per CPU-second is the GEMM rate per thread
            cpu = row['train_cpu_sps'] * flops / 1e9 / (gemm / meta['threads']) \
                if row.get('train_cpu_sps') else None
            out.append('  %-16s %5.1f%%  /  %s' % (fw, 100 * wall,
                                                  '%.1f%%' % (100 * cpu) if cpu else '-'))
    return out


def plot(summary, frameworks, workloads, path, meta):
    """Grouped bars, one panel per column, log scale; written as PNG to ``path``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    panels = [c for c in COLUMNS if c[0] != 'train_cpu_sps']
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4.6))
    width = 0.8 / max(1, len(frameworks))
    colors = plt.get_cmap('tab10')
    for ax, (key, header, higher, _) in zip(axes, panels):
        for j, fw in enumerate(frameworks):
            xs, ys = [], []
            for i, workload in enumerate(workloads):
                value = summary.get(workload, {}).get(fw, {}).get(key)
                if value:
                    xs.append(i + (j - (len(frameworks) - 1) / 2.) * width)
                    ys.append(value)
            ax.bar(xs, ys, width, label=fw, color=colors(j),
                   hatch='' if not is_peer(fw) else '//', edgecolor='white')
        ax.set_yscale('log')
        ax.set_xticks(range(len(workloads)))
        ax.set_xticklabels(workloads, rotation=20)
        ax.set_title('%s (%s better)' % (header, 'higher' if higher else 'lower'), fontsize=10)
        ax.grid(axis='y', alpha=0.3, which='both')
    axes[0].legend(fontsize=8)
    fig.suptitle('keraslike vs peers: %d thread(s), %s run, load %.1f'
                 % (meta['threads'], 'quick' if meta['quick'] else 'full', meta['load_start'][0]))
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
