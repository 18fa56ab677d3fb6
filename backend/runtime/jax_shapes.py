"""JAX mode: shape arithmetic computed with NumPy while tracing, so shapes stay concrete.

``jax.jit`` traces a graph once per set of input shapes, and while it traces,
every array's shape is a concrete tuple. PyTensor's JAX linker turns
arithmetic *on* shapes into ``jnp`` operations, though, and those yield
tracers: a slice bound computed from ``K.shape(x)`` (spatial pyramid pooling
on images of any size) or a reshape to ``(batch * steps, units)`` (a
time-distributed layer) then fails to trace ("Array slice indices must have
static start/stop/step", "Shapes must be 1D sequences of concrete values").

The rewrite here (JAX mode only) finds every value computed from nothing
but shapes and constants, small values only (scalars, short vectors), and
replaces the result by a :class:`ShapeValue` node: its JAX implementation
reads the concrete shapes of its inputs and runs the same small graph with
NumPy (each node's ``perform``). The value is then a constant of the trace,
which is right because the trace is only reused for the same input shapes.
Graphs that traced before are unaffected apart from a few folded scalars.
It runs after PyTensor's fusion (which JAX mode still does on PyTensor 3.0),
so a fused ``Composite`` of shape scalars is computed here as one node.
"""
import numpy as np
from pytensor.graph.basic import Apply, Constant
from pytensor.graph.rewriting.basic import GraphRewriter
from pytensor.scalar import ScalarType
from pytensor.tensor.shape import Shape, Shape_i
from pytensor.tensor.type import TensorType

from .jax_mode import import_jax

import_jax()  # before PyTensor's JAX dispatch imports jax: keeps np.random's stream as is
from pytensor.link.jax.dispatch.shape import JAXShapeTuple  # noqa: E402

try:
    from pytensor.graph.traversal import io_toposort
except ImportError:  # PyTensor < 3.1
    from pytensor.graph.basic import io_toposort

# a computed vector longer than this is data, not a shape: it stays in the traced graph
_MAX_VECTOR = 256
_STATE = {'registered': False}


def _small(var):
    """Whether ``var`` may be computed with NumPy at trace time (a scalar or a short vector)."""
    if isinstance(var.type, ScalarType):
        return True
    if not isinstance(var.type, TensorType):
        return False
    if var.type.ndim == 0:
        return True
    return (var.type.ndim == 1 and var.type.shape[0] is not None
            and var.type.shape[0] <= _MAX_VECTOR)


def _is_shape_read(node):
    return isinstance(node.op, (Shape, Shape_i))


class ShapeValue(JAXShapeTuple):
    """One value computed from the shapes of its inputs (``nodes``, cloned) at trace time.

    The inputs' *values* are never read, only their shapes; the gradient is
    therefore disconnected from them. A :class:`JAXShapeTuple` to PyTensor's
    JAX code: its value is concrete, so a reshape or a random draw may take
    it as a shape (their JAX implementations accept only such Ops there).
    """
    __props__ = ()

    def __eq__(self, other):      # one node per value: never merged by props
        return self is other

    def __hash__(self):
        return id(self)

    def __init__(self, placeholders, nodes, output):
        self.placeholders = list(placeholders)
        self.nodes = list(nodes)
        self.output = output

    def make_node(self, *donors):
        return Apply(self, list(donors), [self.output.type()])

    def connection_pattern(self, node):
        return [[False] for _ in node.inputs]

    def compute(self, shapes):
        """The value for donors of these shapes, as a NumPy scalar or array."""
        values = {}
        donor_shapes = dict(zip(self.placeholders, shapes))
        for node in self.nodes:
            op = node.op
            if isinstance(op, Shape):
                outs = [np.asarray(donor_shapes[node.inputs[0]], dtype='int64')]
            elif isinstance(op, Shape_i):
                outs = [np.asarray(donor_shapes[node.inputs[0]][op.i], dtype='int64')]
            else:
                ins = [v.data if isinstance(v, Constant) else values[v] for v in node.inputs]
                storage = [[None] for _ in node.outputs]
                op.perform(node, ins, storage)
                outs = [s[0] for s in storage]
            values.update(zip(node.outputs, outs))
        out = np.asarray(values[self.output], dtype=self.output.type.dtype)
        return out[()] if out.ndim == 0 else out

    def perform(self, node, inputs, outputs):
        out = self.compute([np.shape(v) for v in inputs])
        outputs[0][0] = np.asarray(out, dtype=node.outputs[0].dtype) \
            if isinstance(node.outputs[0].type, TensorType) else out


def _clone(var, donors):
    """The subgraph computing ``var`` from ``donors``' shapes, cloned onto fresh placeholders."""
    placeholders = [d.type() for d in donors]
    memo = dict(zip(donors, placeholders))
    nodes = []
    for node in io_toposort(list(donors), [var]):
        new = node.clone_with_new_inputs([memo.get(i, i) for i in node.inputs])
        memo.update(zip(node.outputs, new.outputs))
        nodes.append(new)
    return placeholders, nodes, memo[var]


def _donors(var, static):
    """The tensors whose shapes ``var`` (a static variable) is computed from, in a fixed order."""
    donors, seen, stack = [], set(), [var]
    while stack:
        v = stack.pop()
        if v in seen or v.owner is None:
            continue
        seen.add(v)
        if _is_shape_read(v.owner):
            d = v.owner.inputs[0]
            if d not in donors:
                donors.append(d)
            continue
        stack.extend(i for i in v.owner.inputs if i in static)
    return donors


class StaticShapes(GraphRewriter):
    """Replace shape arithmetic by :class:`ShapeValue` nodes (see the module docstring)."""

    def apply(self, fgraph):
        static = set()
        for node in fgraph.toposort():
            if _is_shape_read(node):
                static.update(node.outputs)
            elif (node.inputs and all(isinstance(i, Constant) or i in static for i in node.inputs)
                  and any(i in static for i in node.inputs)
                  and all(_small(o) for o in node.outputs)
                  and not isinstance(node.op, ShapeValue)):
                static.update(node.outputs)
        replacements = []
        for var in static:
            if _is_shape_read(var.owner):     # already concrete in PyTensor's JAX code
                continue
            clients = fgraph.clients.get(var, ())
            if all(not isinstance(c, str) and any(o in static for o in c.outputs)
                   for c, _ in clients):
                continue                      # only used inside the shape arithmetic
            donors = _donors(var, static)
            if not donors:
                continue
            op = ShapeValue(*_clone(var, donors))
            replacements.append((var, op(*donors)))
        if replacements:
            fgraph.replace_all_validate(replacements, reason='keraslike_static_shapes')


def register():
    """Add the rewrite to PyTensor's JAX mode (tag 'jax'; other modes never see it)."""
    if _STATE['registered']:
        return
    from pytensor.compile import optdb
    from pytensor.link.jax.dispatch import jax_funcify

    @jax_funcify.register(ShapeValue)
    def jax_funcify_shape_value(op, node=None, **kwargs):
        def shape_value(*donors):
            return op.compute([np.shape(d) for d in donors])   # concrete while tracing
        return shape_value

    # after 'specialize' (2) has simplified the shape graph, before in-place rewrites
    optdb.register('keraslike_jax_static_shapes', StaticShapes(), 'jax', position=49.3)
    _register_split(jax_funcify)
    _STATE['registered'] = True


def _register_split(jax_funcify):
    """PyTensor's JAX ``Split`` runs ``jnp.cumsum`` on the split sizes: a tracer, which
    ``jnp.split`` rejects, even for sizes that are concrete (a :class:`ShapeValue`)."""
    from pytensor.tensor.basic import Split, get_scalar_constant_value
    original = jax_funcify.dispatch(Split)

    @jax_funcify.register(Split)
    def jax_funcify_split(op, node=None, **kwargs):
        fallback = original(op, node=node, **kwargs)
        axis = getattr(op, 'axis', None)
        if axis is None and node is not None and len(node.inputs) == 3:   # PyTensor < 3.3
            try:
                axis = int(get_scalar_constant_value(node.inputs[1]))
            except Exception:
                axis = None

        def split(x, *rest):
            sizes = rest[-1]
            if axis is None or not isinstance(sizes, (np.ndarray, np.generic, list, tuple)):
                return fallback(x, *rest)
            jnp = import_jax().numpy
            return jnp.split(x, np.cumsum(np.asarray(sizes)[:-1]), axis=axis)
        return split
