"""Keras 1's sparse-tensor predicates: ``K.is_sparse`` and ``K.to_dense``."""
import pytensor.sparse as ps


def is_sparse(tensor):
    """True for a PyTensor sparse variable (csr/csc), False for anything else."""
    return isinstance(getattr(tensor, 'type', None), ps.SparseTensorType)


def to_dense(tensor):
    """A sparse tensor as a dense one; any other tensor is returned unchanged."""
    if is_sparse(tensor):
        return ps.dense_from_sparse(tensor)
    return tensor
