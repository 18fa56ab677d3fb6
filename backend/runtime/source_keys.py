"""Digests of the backend's source files, for the keys of on-disk caches of compiled code.

A cache that stores code built from our modules (Numba's cache of an Op's
object-mode block, the graph cache) must see a new key when those modules
change, or it would keep serving the old code. :func:`imported_modules` finds
the backend modules a module really uses by reading its ``import``
statements (the ``ast``, function-local imports included) and following them
through the backend, so no list of kernel modules is kept by hand.

>>> from keraslike.backend.runtime import source_keys
>>> 'keraslike.backend.ops.winograd_numba' in source_keys.imported_modules(
...     'keraslike.backend.ops.conv')
True
"""
import ast
import hashlib
import os

# the package these modules live in (keraslike.backend), and its folder
PACKAGE = __name__.rsplit('.', 2)[0]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_DIGESTS = {}


def read_source(path):
    """The bytes of a source file (one place, so that a test can substitute them)."""
    with open(path, 'rb') as f:
        return f.read()


def module_path(name):
    """The file of backend module ``name`` (a package's ``__init__.py``), or None."""
    if name != PACKAGE and not name.startswith(PACKAGE + '.'):
        return None
    parts = name[len(PACKAGE):].lstrip('.').split('.') if name != PACKAGE else []
    base = os.path.join(ROOT, *parts)
    for path in (base + '.py', os.path.join(base, '__init__.py')):
        if os.path.isfile(path):
            return path
    return None


def _is_package(name):
    path = module_path(name)
    return path is not None and os.path.basename(path) == '__init__.py'


def _imports(name):
    """The backend modules that module ``name``'s import statements name."""
    tree = ast.parse(read_source(module_path(name)))
    package = name if _is_package(name) else name.rpartition('.')[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit('.', node.level - 1)[0] if node.level > 1 else package
                base = base + '.' + node.module if node.module else base
            else:
                base = node.module
            # `from pkg import mod` names module pkg.mod; any other name comes from pkg itself
            submodules = [base + '.' + a.name for a in node.names
                          if module_path(base + '.' + a.name) is not None]
            found.update(submodules)
            if len(submodules) < len(node.names) or not _is_package(base):
                found.add(base)
    return {m for m in found if module_path(m) is not None}


def imported_modules(name):
    """``name`` and every backend module it imports, directly or through others, sorted."""
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(_imports(current) - seen)
    return sorted(seen)


def digest(names):
    """A hex digest of the sources of the backend modules ``names`` (memoized)."""
    key = tuple(sorted(names))
    if key not in _DIGESTS:
        h = hashlib.sha256()
        for name in key:
            h.update(name.encode() + b'\0' + read_source(module_path(name)))
        _DIGESTS[key] = h.hexdigest()
    return _DIGESTS[key]


def backend_digest():
    """A hex digest of every module of the backend (the graph cache's key part)."""
    names = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if not d.startswith(('.', '__pycache__')))
        rel = os.path.relpath(folder, ROOT)
        prefix = PACKAGE if rel == '.' else PACKAGE + '.' + rel.replace(os.sep, '.')
        for f in sorted(files):
            if f.endswith('.py'):
                names.append(prefix if f == '__init__.py' else prefix + '.' + f[:-3])
    return digest(names)
