"""Plot a training ``History`` (loss and metrics per epoch, train and validation) to an image.

Needs matplotlib (``pip install 'keraslike[visualize]'``); draws off-screen.

>>> history = {'loss': [1.0, 0.6, 0.4], 'val_loss': [1.1, 0.8, 0.7],
...            'acc': [0.5, 0.7, 0.8], 'val_acc': [0.45, 0.6, 0.65]}
>>> plot_history(history, to_file='history.png')  # doctest: +SKIP
"""
import os


def _matplotlib_pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ImportError('plot_history needs matplotlib: `pip install matplotlib` '
                          "(or `pip install 'keraslike[visualize]'`).")
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    return matplotlib, Figure, FigureCanvasAgg


def history_series(history):
    """``(epochs, {metric: {'train': values, 'val': values or None}})`` from a History or dict.

    >>> epochs, series = history_series({'loss': [2., 1.], 'val_loss': [3., 2.], 'lr': [.1, .1]})
    >>> epochs, sorted(series), series['loss']['val']
    ([1, 2], ['loss', 'lr'], [3.0, 2.0])
    """
    logs = getattr(history, 'history', history)
    epochs = list(getattr(history, 'epoch', []))
    names = [k for k in logs if not k.startswith('val_')]
    names += [k[4:] for k in logs if k.startswith('val_') and k[4:] not in logs]
    series = {}
    for name in names:
        train = logs.get(name)
        val = logs.get('val_' + name)
        series[name] = {'train': [float(v) for v in train] if train is not None else None,
                        'val': [float(v) for v in val] if val is not None else None}
    length = max(len(s['train'] or s['val']) for s in series.values()) if series else 0
    if len(epochs) != length:
        epochs = list(range(length))
    return [e + 1 for e in epochs], series


def plot_history(history, to_file='history.png', metrics=None, title=None, dpi=100):
    """Draw one panel per metric (``loss`` first), train and ``val_`` curves, epochs 1-based
    on the x axis; save to ``to_file`` (format from the extension, written atomically).
    ``metrics`` restricts and orders the panels. Returns ``to_file``."""
    _, Figure, FigureCanvasAgg = _matplotlib_pyplot()
    epochs, series = history_series(history)
    names = list(metrics) if metrics is not None else (
        (['loss'] if 'loss' in series else []) + sorted(n for n in series if n != 'loss'))
    missing = [n for n in names if n not in series]
    if missing or not names:
        raise ValueError('Nothing to plot for %s; the history has: %s'
                         % (missing or 'an empty history', sorted(series)))
    fig = Figure(figsize=(5 * len(names), 4), dpi=dpi)
    FigureCanvasAgg(fig)
    for i, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), i + 1)
        for part, style in (('train', '-o'), ('val', '--s')):
            values = series[name][part]
            if values is not None:
                ax.plot(epochs[:len(values)], values, style, markersize=3,
                        label='train' if part == 'train' else 'validation')
        ax.set_title(name)
        ax.set_xlabel('epoch')
        ax.set_ylabel(name)
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    _save_atomic(fig, to_file)
    return to_file


def _save_atomic(fig, path):
    import tempfile
    folder = os.path.dirname(os.path.abspath(path))
    ext = os.path.splitext(path)[1] or '.png'
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + '.', suffix=ext, dir=folder)
    os.close(fd)
    try:
        fig.savefig(tmp, format=ext[1:])
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
