"""The import structure of the library (issue 18): read with ``ast``, nothing is imported.

Layering of the three packages, lowest first::

    keraslike.utils   <-   keraslike.engine   <-   keraslike.layers

``utils`` imports neither of the others, ``engine`` may import ``utils``, ``layers`` may
import both; top-level modules (``keraslike.models`` ...) may import all three. The rule
holds for imports at module level and inside functions alike. The one sanctioned
exception: a module-level ``__getattr__`` in a utility module that keeps a Keras 1 (or
Keras 2) public name importable at its old path (``keraslike.utils.layer_utils.Dense``);
it runs only when the name is looked up, never while modules load, and is allowed only
in the modules listed in ``LAZY_REEXPORTS`` below.

Besides, no library module may take part in an import cycle through module-level imports
(importing ``a.b.c`` from outside package ``a.b`` runs ``a/b/__init__.py`` too, so that
counts as importing ``a.b``).
"""
import ast
import os

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'keraslike')
LAYERED = ('keraslike.utils', 'keraslike.engine', 'keraslike.layers')
# package -> the packages among LAYERED that it may import
ALLOWED = {'keraslike.utils': set(),
           'keraslike.engine': {'keraslike.utils'},
           'keraslike.layers': {'keraslike.utils', 'keraslike.engine'}}
LAZY_REEXPORTS = {
    'keraslike.utils.layer_utils': "Keras 1's layer_utils re-exported every layer, Model, "
                                   'Sequential and layer_from_config',
    'keraslike.utils.test_utils': "Keras 1's test_utils re-exported Input, Model, Sequential and "
                                  'model_from_json; layer_test lives in the engine',
    'keraslike.utils.visualize_util': "Keras 1's visualize_util re-exported Sequential and "
                                      'Wrapper',
    'keraslike.utils.data_utils': "GeneratorEnqueuer at its Keras 2 path",
}


def module_files():
    """{dotted module name: (path, is_package)} for every .py file under keraslike/."""
    found = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__')
        rel = os.path.relpath(folder, os.path.dirname(ROOT)).replace(os.sep, '.')
        for name in sorted(files):
            if name.endswith('.py'):
                if name == '__init__.py':
                    found[rel] = (os.path.join(folder, name), True)
                else:
                    found[rel + '.' + name[:-3]] = (os.path.join(folder, name), False)
    return found


MODULES = module_files()


def _package_of(module):
    return module if MODULES[module][1] else module.rpartition('.')[0]


def _targets(module, node):
    """The library modules an import statement loads (submodules named in `from` included)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ''
        if node.level:
            package = _package_of(module)
            for _ in range(node.level - 1):
                package = package.rpartition('.')[0]
            base = package + ('.' + base if base else '')
        names = [base] + [base + '.' + alias.name for alias in node.names]
    return [name for name in names if name in MODULES]


def _dynamic_target(node):
    """``importlib.import_module('keraslike.x')`` / ``__import__('keraslike.x')`` count too."""
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, 'id', None)
    if called in ('import_module', '__import__') and node.args \
            and isinstance(node.args[0], ast.Constant) and node.args[0].value in MODULES:
        return [node.args[0].value]
    return []


def imports_of(module):
    """[(target module, where)] with where 'module', 'function' or 'lazy' (a module-level
    ``__getattr__``)."""
    with open(MODULES[module][0], encoding='utf-8') as f:
        tree = ast.parse(f.read(), MODULES[module][0])
    found = []

    def visit(node, where):
        for child in ast.iter_child_nodes(node):
            inner = where
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                lazy = where == 'module' and getattr(child, 'name', None) == '__getattr__'
                inner = 'lazy' if lazy else ('function' if where == 'module' else where)
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.extend((target, where) for target in _targets(module, child))
            elif isinstance(child, ast.Call):
                found.extend((target, where) for target in _dynamic_target(child))
            visit(child, inner)

    visit(tree, 'module')
    return found


def _layer(module):
    for package in LAYERED:
        if module == package or module.startswith(package + '.'):
            return package
    return None


def _within(module, package):
    return module == package or module.startswith(package + '.')


def _loads(importer, target):
    """What importing ``target`` runs from ``importer``: ``target`` and the packages above it,
    except the importer's own packages (already loading: Python does not run them again)."""
    parts = target.split('.')
    candidates = ['.'.join(parts[:i]) for i in range(1, len(parts))] + [target]
    return [m for m in candidates if not _within(importer, m)]


def _layered_imports(module):
    """[(layered module reached, where, via)]: the imports of ``module`` into the three
    packages, directly or through top-level modules (``keraslike.models`` imports the engine,
    so a utility importing it imports the engine)."""
    reached, seen = [], set()
    queue = [(target, where, ()) for target, where in imports_of(module)
             if not (where == 'lazy' and module in LAZY_REEXPORTS)]
    while queue:
        target, where, via = queue.pop(0)
        if _layer(target) is not None:
            reached.append((target, where, via))
        elif target not in seen:
            seen.add(target)
            queue.extend((t, where, via + (target,)) for t, w in imports_of(target)
                         if not (w == 'lazy' and target in LAZY_REEXPORTS))
    return reached


def test_packages_are_layered():
    wrong = []
    for module in MODULES:
        source = _layer(module)
        if source is None:
            continue
        for target, where, via in _layered_imports(module):
            dest = _layer(target)
            if dest != source and dest not in ALLOWED[source]:
                wrong.append('%s imports %s (%s level%s): %s may not import %s'
                             % (module, target, where, ''.join(' via ' + v for v in via),
                                source, dest))
    assert not wrong, ('Layering utils <- engine <- layers broken:\n  '
                       + '\n  '.join(sorted(set(wrong))))


def _find_cycle(graph):
    """One cycle of ``graph`` ({node: set(nodes)}) as a list, or None (iterative DFS)."""
    state = {}
    for start in sorted(graph):
        if start in state:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 'open'
        while stack:
            for nxt in stack[-1]:
                if state.get(nxt) == 'open':
                    return path[path.index(nxt):] + [nxt]
                if nxt not in state:
                    state[nxt] = 'open'
                    path.append(nxt)
                    stack.append(iter(sorted(graph.get(nxt, ()))))
                    break
            else:
                state[path.pop()] = 'done'
                stack.pop()
    return None


def test_no_module_import_cycle():
    graph = {module: set() for module in MODULES}
    for module in MODULES:
        for target, where in imports_of(module):
            if where == 'module':
                graph[module].update(_loads(module, target))
    cycle = _find_cycle(graph)
    assert cycle is None, 'Module-level import cycle: ' + ' -> '.join(cycle)


def test_lazy_reexport_modules_exist():
    """The exemptions name real modules that still have a ``__getattr__`` hook."""
    for module in LAZY_REEXPORTS:
        assert module in MODULES, module
        assert any(where == 'lazy' for _, where in imports_of(module)), module


def test_every_package_folder_is_in_pyproject():
    """A wheel holds only the packages pyproject.toml lists (an editable install hides a gap)."""
    import tomllib
    repo = os.path.dirname(ROOT)
    with open(os.path.join(repo, 'pyproject.toml'), 'rb') as f:
        listed = set(tomllib.load(f)['tool']['setuptools']['packages'])
    found = set()
    for top, package in (('keraslike', 'keraslike'), ('backend', 'keraslike.backend')):
        for folder, dirs, files in os.walk(os.path.join(repo, top)):
            dirs[:] = [d for d in dirs if d != '__pycache__']
            if '__init__.py' in files:
                rel = os.path.relpath(folder, os.path.join(repo, top))
                found.add(package if rel == '.' else package + '.' + rel.replace(os.sep, '.'))
    assert found - listed == set(), 'packages missing from pyproject.toml'
    assert listed - found == set(), 'pyproject.toml lists packages that do not exist'
