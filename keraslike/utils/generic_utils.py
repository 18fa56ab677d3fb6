"""Identifier lookup, custom objects, function (de)serialisation, Progbar.

>>> from keraslike.utils.generic_utils import get_from_module
>>> get_from_module('relu', {'relu': abs}, 'activation') is abs
True
"""
import marshal
import numbers
import types

import numpy as np

_GLOBAL_CUSTOM_OBJECTS = {}


class CustomObjectScope(object):
    """Context manager that makes custom objects resolvable by name inside it.

    >>> with CustomObjectScope({'my_loss': abs}):
    ...     pass
    """

    def __init__(self, *args):
        self.custom_objects = args
        self.backup = None

    def __enter__(self):
        self.backup = _GLOBAL_CUSTOM_OBJECTS.copy()
        for objects in self.custom_objects:
            _GLOBAL_CUSTOM_OBJECTS.update(objects)
        return self

    def __exit__(self, *args, **kwargs):
        _GLOBAL_CUSTOM_OBJECTS.clear()
        _GLOBAL_CUSTOM_OBJECTS.update(self.backup)


def custom_object_scope(*args):
    return CustomObjectScope(*args)


def get_custom_objects():
    """The global registry of custom objects (name -> object), mutable."""
    return _GLOBAL_CUSTOM_OBJECTS


def _public_names(module_params):
    return sorted(k for k, v in module_params.items()
                  if not k.startswith('_') and callable(v)
                  and not isinstance(v, types.ModuleType))


def get_from_module(identifier, module_params, module_name, instantiate=False, kwargs=None):
    """Resolve ``identifier`` (a name, a config dict or an object) in ``module_params``.

    A string is looked up in the custom objects, then in the module; an unknown
    name raises ``ValueError('Invalid <module_name>: <name>')`` listing the valid
    names. A dict ``{'name': ..., **kw}`` instantiates ``module[name](**kw)``.
    Anything else is returned unchanged.
    """
    if isinstance(identifier, str):
        res = None
        if identifier in _GLOBAL_CUSTOM_OBJECTS:
            res = _GLOBAL_CUSTOM_OBJECTS[identifier]
        else:
            res = module_params.get(identifier)
        if res is None:
            raise ValueError('Invalid %s: %s. Valid names are: %s.'
                             % (module_name, identifier,
                                ', '.join(_public_names(module_params))))
        if instantiate and not kwargs:
            return res()
        if instantiate and kwargs:
            return res(**kwargs)
        return res
    if isinstance(identifier, dict):
        config = dict(identifier)
        name = config.pop('name')
        res = _GLOBAL_CUSTOM_OBJECTS.get(name) or module_params.get(name)
        if res is None:
            raise ValueError('Invalid %s: %s. Valid names are: %s.'
                             % (module_name, name, ', '.join(_public_names(module_params))))
        return res(**config)
    return identifier


def check_int_arg(value, arg, owner, minimum=1):
    """``value`` as a Python int >= ``minimum``, else a clear error naming ``owner``'s ``arg``.

    Integers of any kind (numpy ints included) and integral floats (``64 / 2``, as
    Python 2 era Keras 1 scripts compute sizes) pass; bools, strings and 2.5 raise
    TypeError, too small values ValueError: better here than a shape error deep in
    PyTensor, or a silently empty layer.

    >>> check_int_arg(np.int64(3), 'output_dim', 'Dense')
    3
    """
    expected = 'a positive integer' if minimum == 1 else 'an integer >= %d' % minimum
    ok = isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real)
                                                 and float(value).is_integer())
    if isinstance(value, (bool, np.bool_)) or not ok:
        raise TypeError('%s: `%s` must be %s, got %r (type %s).'
                        % (owner, arg, expected, value, type(value).__name__))
    if value < minimum:
        raise ValueError('%s: `%s` must be %s, got %r.' % (owner, arg, expected, value))
    return int(value)


def check_fraction_arg(value, arg, owner):
    """``value`` as a float in [0, 1) (a dropout rate), else a ValueError naming ``arg``.

    Rate 1 is refused too: Keras 1 silently turned ``Dropout(1)`` into the identity.

    >>> check_fraction_arg(0.5, 'p', 'Dropout')
    0.5
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError('%s: `%s` must be a number in [0, 1), got %r (type %s).'
                        % (owner, arg, value, type(value).__name__))
    if not 0. <= float(value) < 1.:
        raise ValueError('%s: `%s` must be in [0, 1) (the fraction of units to drop), got %r.'
                         % (owner, arg, value))
    return float(value)


def check_shape_arg(shape, arg, owner, batch=False):
    """A shape argument (``input_shape``, or with ``batch`` ``batch_input_shape``) as a tuple.

    Every entry must be None (unknown) or a positive integer; the error names ``arg``.

    >>> check_shape_arg([None, 4], 'input_shape', 'LSTM')
    (None, 4)
    """
    if isinstance(shape, (numbers.Number, str, bytes)) or not hasattr(shape, '__iter__'):
        raise TypeError('%s: `%s` must be a tuple of positive integers (None for an unknown '
                        'size%s), got %r.' % (owner, arg, ', batch axis first' if batch else '',
                                              shape))
    shape = tuple(shape)
    out = []
    for dim in shape:
        if dim is None:
            out.append(None)
            continue
        try:
            out.append(check_int_arg(dim, arg, owner))
        except (TypeError, ValueError):
            raise ValueError('%s: every entry of `%s` must be a positive integer or None, got '
                             '%r.' % (owner, arg, shape))
    return tuple(out)


def rename_keras2_kwargs(kwargs, renames, values=None, given=None, who=None):
    """A copy of ``kwargs`` with each Keras 2 name (a key of ``renames``) replaced by its
    Keras 1 name, in place, the other keys as they are.

    ``values`` maps a Keras 1 name to the value conversions Keras 2 made
    (``{'dim_ordering': {'channels_first': 'th', ...}}``). ``given`` holds Keras 1
    arguments the caller received explicitly as named parameters: with those in
    ``kwargs``, a Keras 2 spelling of either is a TypeError naming both (``who``,
    e.g. ``'fit()'``, starts the message), never a silent choice of one.

    >>> rename_keras2_kwargs({'units': 3, 'name': 'd'}, {'units': 'output_dim'})
    {'output_dim': 3, 'name': 'd'}
    """
    given = dict(given or {})
    given.update(kwargs)
    out = {}
    for key, value in kwargs.items():
        new_key = renames.get(key, key)
        if new_key != key:
            if new_key in given:
                raise TypeError('%s both `%s` (Keras 1 name, %r) and `%s` (Keras 2 name, %r); '
                                'pass only one of them.'
                                % (who + ' got' if who else 'Got', new_key, given[new_key], key,
                                   value))
            conversions = (values or {}).get(new_key)
            if conversions and value in conversions:
                value = conversions[value]
        out[new_key] = value
    return out


def reject_unknown_kwargs(kwargs, allowed, message):
    """TypeError ``message % sorted(unknown names)`` when ``kwargs`` has a name not in
    ``allowed`` (the check behind a ``**kwargs`` that accepts only some Keras 2 names)."""
    unknown = set(kwargs) - set(allowed)
    if unknown:
        raise TypeError(message % (sorted(unknown),))


def take_named_args(kwargs, args, names=None):
    """Move renamed arguments from ``kwargs`` into ``args``, the values of the named
    parameters (``names``, else ``args``' keys), where they override the defaults.

    After :func:`rename_keras2_kwargs`, ``Dense(units=3)`` holds ``output_dim`` in its
    ``**kwargs`` while the parameter ``output_dim`` kept its default.
    """
    names = args if names is None else names
    for key in list(kwargs):
        if key in names:
            args[key] = kwargs.pop(key)
    return args


def make_tuple(*args):
    return args


def func_dump(func):
    """Serialise a function as Keras 1 does: (marshalled code text, defaults, closure)."""
    code = marshal.dumps(func.__code__).decode('raw_unicode_escape')
    defaults = func.__defaults__
    closure = tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    return code, defaults, closure


def func_load(code, defaults=None, closure=None, globs=None):
    """Rebuild a function from :func:`func_dump` output. This executes code from the
    serialised data: callers must only use it on trusted input (``safe_mode=False``)."""
    if isinstance(code, (tuple, list)):
        code, defaults, closure = code
    code = marshal.loads(code.encode('raw_unicode_escape'))
    if closure is not None:
        closure = tuple(types.CellType(c) for c in closure)
    if globs is None:
        globs = globals()
    return types.FunctionType(code, globs, name=code.co_name, argdefs=defaults, closure=closure)


from .progbar import Progbar  # noqa: E402,F401
