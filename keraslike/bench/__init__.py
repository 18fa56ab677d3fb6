"""``python -m keraslike.bench``: keraslike's speed side by side with its peers.

Standard workloads named after the Keras 1 examples (``workloads.py``: mlp,
cnn, imdb_lstm, stacked_lstm; synthetic float32 data of their shapes) are
trained in keraslike, once per execution mode (JAX, NUMBA, C), and in every
importable peer: Keras 3 on JAX, Keras 3 on PyTorch, and a plain PyTorch
loop (``peers.py``). Each run is its own subprocess (``runner.py``) with
the same thread limit; the order alternates between workloads. The table
gives build+compile time, time to the end of the first epoch, steady-state
training samples/s (median of the epochs after the first), predict
samples/s and peak memory, each with its ratio to the best peer, plus the
NumPy float32 GEMM roofline and the MLP's achieved fraction of it.

Examples::

    python -m keraslike.bench --quick
    python -m keraslike.bench --workloads mlp --threads 1 --json mlp.json --plot mlp.png
    python -m keraslike.bench --peer-python /path/to/python3.11   # where torch is

Speed goals live here and in ``benchmarks/``, never in the test suite.
"""


def main(argv=None):
    """Run the benchmark (arguments as on the command line); returns the exit status."""
    from .cli import main as cli_main
    return cli_main(argv)
