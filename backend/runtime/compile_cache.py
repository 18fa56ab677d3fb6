"""A disk cache of rewritten graphs, so that a second process compiles the same model quickly.

PyTensor caches compiled code (C modules, Numba functions) and JAX caches
XLA programs, but every ``pytensor.function`` call still rewrites its graph
from scratch: 1.5-2.5 s for the MLP's training function, the largest part of
a warm compile. This module stores the rewritten ``FunctionGraph`` (pickled)
under a key that fingerprints everything the rewrite depends on:

- the graph: every node's Op (its pickled state), how nodes connect, the
  types of all variables, constants by value, and which inputs are given,
  shared or updated;
- the mode and its rewrite query, PyTensor's and Python's versions, the
  relevant PyTensor flags (floatX, optimizer_*, blas__ldflags), and a hash
  of keraslike's backend sources (which register Ops and rewrites).

On a hit the graph is unpickled with its inputs bound to this process's
placeholders and shared variables, and linked as usual (Numba still loads
its own cache; JAX still traces). Anything unusual (``givens``, profiling,
an Op that does not pickle) bypasses the cache. Files live in
``<config_dir>/graph_cache`` (``$KERASLIKE_GRAPH_CACHE`` overrides it; ``off``
disables it); the oldest are pruned beyond ``MAX_FILES``.
"""
import hashlib
import io
import os
import pickle
import sys
import tempfile
import warnings

import numpy as np
import pytensor
from pytensor.compile.aliasing import add_supervisor_to_fgraph
from pytensor.compile.io import SymbolicOutput
from pytensor.compile.maker import FunctionMaker
from pytensor.compile.mode import get_mode
from pytensor.compile.rebuild import construct_function_ins_and_outs
from pytensor.graph.basic import Constant

from . import source_keys
from .graph_rebuild import children_first

FORMAT = 1          # bump when what is stored changes
MAX_FILES = 400
MAX_OP_TOKENS = 5000  # Op digests kept in memory (a model's graphs hold a few hundred Ops)
STATS = {'hits': 0, 'misses': 0, 'bypassed': 0, 'errors': 0}
_OP_TOKENS = {}


class Uncacheable(Exception):
    """The graph cannot be fingerprinted (or stored); compile without the cache."""


def cache_dir():
    """The cache folder, or None when the cache is disabled."""
    from ..config import config_dir
    folder = os.environ.get('KERASLIKE_GRAPH_CACHE', os.path.join(config_dir(), 'graph_cache'))
    return None if folder.lower() in ('', '0', 'off', 'none') else folder


def _op_token(op):
    token = _OP_TOKENS.get(id(op))
    if token is None or token[0] is not op:
        try:
            state = pickle.dumps(op, protocol=4)
        except Exception as e:  # lambdas, open handles...
            raise Uncacheable('Op %s does not pickle: %s' % (op, e))
        token = (op, type(op).__module__ + '.' + type(op).__qualname__ + ':'
                 + hashlib.sha1(state).hexdigest())
        if len(_OP_TOKENS) >= MAX_OP_TOKENS:
            # bounded: each entry holds its Op (an inner graph for Scan/Composite), and a
            # process that builds model after model would otherwise keep every one of them
            _OP_TOKENS.clear()
        _OP_TOKENS[id(op)] = token
    return token[1]


def _constant_token(c):
    data = c.data
    if isinstance(data, np.ndarray):
        body = data.dtype.str.encode() + repr(data.shape).encode() + data.tobytes()
    else:
        try:
            body = pickle.dumps(data, protocol=4)
        except Exception as e:
            raise Uncacheable('constant %r does not pickle: %s' % (c, e))
    return ('c', repr(c.type), hashlib.sha1(body).hexdigest())


def fingerprint(in_specs, outputs):
    """A hex digest of the graph from ``in_specs`` (pytensor ``In``) to ``outputs`` and updates."""
    h = hashlib.sha256()
    refs = {}
    for i, spec in enumerate(in_specs):
        refs[spec.variable] = ('in', i)
        h.update(repr(('in', i, repr(spec.variable.type), bool(spec.mutable),
                       spec.update is not None, bool(getattr(spec, 'shared', False)))).encode())
    roots = [getattr(o, 'variable', o) for o in outputs]
    roots += [spec.update for spec in in_specs if spec.update is not None]
    order = children_first([r.owner for r in roots if r.owner is not None],
                           lambda node: [i.owner for i in node.inputs
                                         if i not in refs and i.owner is not None])
    node_ids = {}

    def ref(v):
        if v in refs:
            return refs[v]
        if v.owner is not None:
            return ('n', node_ids[v.owner], v.owner.outputs.index(v))
        if isinstance(v, Constant):
            return _constant_token(v)
        raise Uncacheable('free variable %s' % (v,))

    for node in order:
        parts = (_op_token(node.op), [ref(i) for i in node.inputs],
                 [repr(o.type) for o in node.outputs])
        node_ids[node] = len(node_ids)
        h.update(repr(parts).encode())
    h.update(repr([ref(r) for r in roots]).encode())
    return h.hexdigest()


def _context(mode, kwargs):
    cfg = pytensor.config
    flags = [str(getattr(cfg, name, '')) for name in
             ('floatX', 'optimizer_excluding', 'optimizer_including', 'optimizer_requiring',
              'cast_policy')]
    if getattr(mode, 'linker', None) is not None and 'cvm' in type(mode.linker).__name__.lower():
        flags.append(cfg.blas__ldflags)
    return repr((FORMAT, sys.version, pytensor.__version__, source_keys.backend_digest(),
                 type(getattr(mode, 'linker', None)).__name__,
                 _query_token(getattr(mode, 'provided_optimizer', None)), flags,
                 sorted((k, repr(v)) for k, v in kwargs.items())))


def _query_token(query):
    """A process-independent description of a mode's rewrite query."""
    if query is None or isinstance(query, str):
        return repr(query)
    return repr(tuple(sorted(map(str, getattr(query, attr, None) or ()))
                      if attr != 'position_cutoff' else getattr(query, attr, None)
                      for attr in ('include', 'require', 'exclude', 'subquery',
                                   'position_cutoff')))


class _CachedGraphMaker(FunctionMaker):
    """A FunctionMaker for an already rewritten graph: no new fgraph, no rewriting."""

    def create_fgraph(self, input_specs, output_specs, accept_inplace=False, fgraph=None,
                      **kwargs):
        # the graph was validated when it was first rewritten; it holds in-place ops
        add_supervisor_to_fgraph(fgraph=fgraph, input_specs=input_specs, accept_inplace=True)
        return fgraph, [SymbolicOutput(s.update) for s in input_specs if s.update is not None]


class _Pickler(pickle.Pickler):
    def __init__(self, f, refs):
        super().__init__(f, protocol=4)
        self._refs = refs

    def persistent_id(self, obj):
        return self._refs.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, f, variables):
        super().__init__(f)
        self._variables = variables

    def persistent_load(self, pid):
        return self._variables[pid]


def function(inputs, outputs, updates=(), givens=None, mode=None, **kwargs):
    """``pytensor.function(inputs, outputs, updates=..., mode=...)``, through the disk cache."""
    folder = cache_dir()
    if folder is None or givens or kwargs.get('profile') or kwargs.get('accept_inplace') \
            or set(kwargs) - {'allow_input_downcast', 'on_unused_input', 'name',
                              'rebuild_strict'}:
        STATS['bypassed'] += 1
        return pytensor.function(inputs, outputs, updates=updates, givens=givens, mode=mode,
                                 **kwargs)
    pt_mode = get_mode(mode)
    in_specs, out_specs = construct_function_ins_and_outs(
        inputs, outputs, updates=updates, givens=None, no_default_updates=False,
        rebuild_strict=kwargs.get('rebuild_strict', True),
        allow_input_downcast=kwargs.get('allow_input_downcast'))
    maker_kwargs = dict(on_unused_input=kwargs.get('on_unused_input'), name=kwargs.get('name'))
    try:
        key = hashlib.sha256((fingerprint(in_specs, out_specs) + _context(pt_mode, kwargs))
                             .encode()).hexdigest()
    except Uncacheable:
        STATS['bypassed'] += 1
        return pt_mode.function_maker(in_specs, out_specs, pt_mode, **maker_kwargs).create()
    path = os.path.join(folder, key[:40] + '.pkl')
    variables = [spec.variable for spec in in_specs]
    if os.path.exists(path):
        try:
            fn = _load(path, in_specs, out_specs, pt_mode, maker_kwargs)
            STATS['hits'] += 1
            os.utime(path)  # for pruning by last use
            return fn
        except Exception as e:  # a stale or broken entry: rebuild it
            STATS['errors'] += 1
            warnings.warn('Ignoring the cached graph %s (%s: %s).' % (path, type(e).__name__, e))
    STATS['misses'] += 1
    maker = pt_mode.function_maker(in_specs, out_specs, pt_mode, **maker_kwargs)
    if _store(path, maker.fgraph, variables):
        # link the stored copy, as later processes will: an unpickled graph lists its
        # nodes in another order, which gives Numba's own cache another key
        try:
            return _load(path, in_specs, out_specs, pt_mode, maker_kwargs)
        except Exception:
            pass
    return maker.create()


def _load(path, in_specs, out_specs, pt_mode, maker_kwargs):
    """The function linked from the graph stored at ``path``, bound to ``in_specs``."""
    with open(path, 'rb') as f:
        fgraph = _Unpickler(f, [spec.variable for spec in in_specs]).load()
    maker = _CachedGraphMaker(in_specs, out_specs, pt_mode, fgraph=fgraph,
                              no_fgraph_prep=True, **maker_kwargs)
    return maker.create()


def _store(path, fgraph, variables):
    """Pickle the rewritten graph (before linking changes it) with its inputs as references."""
    try:
        buf = io.BytesIO()
        _Pickler(buf, {id(v): i for i, v in enumerate(variables)}).dump(fgraph)
    except Exception:
        return False  # an unpicklable graph: it simply is not cached
    try:
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix='.tmp')
        with os.fdopen(fd, 'wb') as f:
            f.write(buf.getvalue())
        os.replace(tmp, path)
        _prune(folder)
    except OSError:
        return False
    return True


def _prune(folder):
    entries = [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith('.pkl')]
    if len(entries) <= MAX_FILES:
        return
    entries.sort(key=lambda p: os.path.getmtime(p))
    for p in entries[:len(entries) - MAX_FILES]:
        try:
            os.remove(p)
        except OSError:
            pass
