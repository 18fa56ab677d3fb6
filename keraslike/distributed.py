"""Synchronous data-parallel training over MPI (mpi4py): ``mpirun -n N python train.py``.

Wrap the optimizer and train as usual::

    from keraslike.distributed import DistributedOptimizer
    model.compile(optimizer=DistributedOptimizer(RMSprop()), loss='categorical_crossentropy')
    model.fit(X, Y, batch_size=128, nb_epoch=10)   # 128 = the global batch

Every rank runs the same script on the same data. Rank 0's initial weights are
broadcast; each step every rank computes the gradients of its shard of the
global batch, one ``Allreduce`` averages them (weighted by shard sizes) together
with the logged metrics, and every rank applies the same update, so the
replicas stay identical. Only rank 0 prints progress and runs callbacks that
write files. An exception on any rank aborts the whole job (no hang).
"""
import sys
import traceback

import numpy as np

from keraslike import backend as K
from keraslike.optimizers import Optimizer

# callbacks that write files or talk to the outside: rank 0 only
_ROOT_ONLY_CALLBACKS = ('ModelCheckpoint', 'CSVLogger', 'TensorBoard', 'RemoteMonitor',
                        'ProgbarLogger')
_COMM = None


def _abort_on_exception(exc_type, exc, tb):
    """Print the error, then end every rank: a rank blocked in a collective never returns."""
    traceback.print_exception(exc_type, exc, tb)
    sys.stderr.flush()
    _COMM.Abort(1)


def init(comm=None):
    """The communicator in use (``MPI.COMM_WORLD`` by default); installs the abort hook."""
    global _COMM
    if _COMM is None or comm is not None:
        try:
            from mpi4py import MPI
        except ImportError:
            raise ImportError("Distributed training needs mpi4py and an MPI library: "
                              "apt-get install openmpi-bin libopenmpi-dev && "
                              "pip install 'keraslike[mpi]'")
        _COMM = comm or MPI.COMM_WORLD
        if _COMM.Get_size() > 1:
            sys.excepthook = _abort_on_exception
    return _COMM


def rank():
    return init().Get_rank()


def size():
    return init().Get_size()


def is_root():
    return rank() == 0


def shard(n, rank_index, nb_ranks):
    """The [start, stop) rows of a batch of ``n`` that rank ``rank_index`` computes."""
    base, extra = divmod(n, nb_ranks)
    start = rank_index * base + min(rank_index, extra)
    return start, start + base + (1 if rank_index < extra else 0)


class _Reducer(object):
    """One buffer, one Allreduce: sums of ``n_r * value`` and of ``n_r`` over ranks."""

    def __init__(self, comm):
        self.comm = comm
        self.buffer = None

    def weighted_mean(self, arrays, count):
        sizes = [a.size for a in arrays]
        total = sum(sizes) + 1
        if self.buffer is None or self.buffer.size != total:
            self.buffer = np.empty(total, dtype=K.floatx())
        offset = 0
        for a in arrays:
            self.buffer[offset:offset + a.size] = np.ravel(a) * count
            offset += a.size
        self.buffer[-1] = count
        from mpi4py import MPI
        self.comm.Allreduce(MPI.IN_PLACE, self.buffer, op=MPI.SUM)
        n = self.buffer[-1]
        out, offset = [], 0
        for a, s in zip(arrays, sizes):
            out.append((self.buffer[offset:offset + s] / n).reshape(np.shape(a)))
            offset += s
        return out


class _ShardedFunction(object):
    """Calls ``fn`` on this rank's rows of a global batch and averages the outputs globally."""

    def __init__(self, fn, comm, nb_outputs, zeros):
        self.fn, self.comm, self.nb_outputs, self.zeros = fn, comm, nb_outputs, zeros
        self.reducer = _Reducer(comm)

    def local(self, inputs):
        n = len(inputs[0])
        start, stop = shard(n, self.comm.Get_rank(), self.comm.Get_size())
        if stop <= start:
            return [z.copy() for z in self.zeros], 0
        return self.fn([x[start:stop] for x in inputs]), stop - start

    def __call__(self, inputs):
        outs, count = self.local(inputs)
        return [np.asarray(o, dtype=K.floatx()) if np.ndim(o) else float(o)
                for o in self.reducer.weighted_mean([np.asarray(o) for o in outs], count)]


class _DistributedTrainFunction(_ShardedFunction):
    """Local gradients -> global weighted mean -> the wrapped optimizer's update."""

    def __init__(self, grad_fn, apply_fn, comm, nb_outputs, zeros):
        super(_DistributedTrainFunction, self).__init__(grad_fn, comm, nb_outputs, zeros)
        self.apply_fn = apply_fn

    def __call__(self, inputs):
        outs, count = self.local(inputs)
        averaged = self.reducer.weighted_mean([np.asarray(o) for o in outs], count)
        self.apply_fn(averaged[self.nb_outputs:])
        return [float(o) for o in averaged[:self.nb_outputs]]


class Distribution(object):
    """What ``fit`` asks of a distributed run: which callbacks, which shuffle, which functions."""

    def __init__(self, comm):
        self.comm = comm
        self.is_root = comm.Get_rank() == 0

    def filter_callbacks(self, callbacks):
        if self.is_root:
            return callbacks
        return [c for c in callbacks or [] if type(c).__name__ not in _ROOT_ONLY_CALLBACKS]

    def sync_indices(self, index_array):
        """Every rank uses rank 0's shuffled order, so the global batches agree."""
        self.comm.Bcast(index_array, root=0)
        return index_array

    def broadcast_weights(self, weights):
        for w in weights:
            value = np.ascontiguousarray(K.get_value(w))
            self.comm.Bcast(value, root=0)
            K.set_value(w, value)

    def test_function(self, model, fn, nb_outputs):
        return _ShardedFunction(fn, self.comm, nb_outputs, [np.zeros(()) for _ in
                                                             range(nb_outputs)])


class DistributedOptimizer(Optimizer):
    """Wrap any keraslike optimizer to average gradients across MPI ranks before each update.

    >>> from keraslike.optimizers import SGD
    >>> opt = DistributedOptimizer(SGD(lr=0.1))   # doctest: +SKIP
    """

    def __init__(self, optimizer, comm=None):
        from keraslike import optimizers
        self.optimizer = optimizers.get(optimizer)
        self.distribution = Distribution(init(comm))
        self.updates = []
        self.weights = []

    def __getattr__(self, name):
        # lr, decay, ... belong to the wrapped optimizer (LearningRateScheduler uses opt.lr)
        if name in ('optimizer', 'distribution', 'wrapped_optimizer'):
            raise AttributeError(name)
        return getattr(self.optimizer, name)

    @property
    def wrapped_optimizer(self):
        return self.optimizer

    def get_updates(self, params, constraints, loss):
        return self.optimizer.get_updates(params, constraints, loss)

    def build_train_function(self, model, inputs, outputs, layer_updates, make_function):
        """The per-step function: local gradients, Allreduce, then the update."""
        params = model._collected_trainable_weights
        self.distribution.broadcast_weights(model.weights)
        grads = K.gradients(model.total_loss, params)
        grad_fn = make_function(inputs, outputs + grads, layer_updates, 1)
        grad_inputs = [K.placeholder(shape=K.get_variable_shape(p), dtype=K.dtype(p))
                       for p in params]
        self.optimizer.gradient_source = grad_inputs
        try:
            updates = self.optimizer.get_updates(params, model.constraints, model.total_loss)
        finally:
            self.optimizer.gradient_source = None
        self.weights = self.optimizer.weights
        apply_fn = K.function(grad_inputs, [], updates=updates)
        zeros = [np.zeros(()) for _ in outputs] + [np.zeros(K.get_variable_shape(p))
                                                   for p in params]
        return _DistributedTrainFunction(grad_fn, apply_fn, self.distribution.comm,
                                         len(outputs), zeros)

    def get_weights(self):
        return self.optimizer.get_weights()

    def set_weights(self, weights):
        self.optimizer.set_weights(weights)

    def get_config(self):
        return self.optimizer.get_config()
