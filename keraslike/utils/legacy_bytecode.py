"""Rebuild Keras 1 lambdas saved as CPython 3.6/3.7 bytecode on a newer Python.

Keras 1.2.2 stores a ``Lambda``'s function (and a ``Merge``'s mode or output
shape) as ``marshal.dumps(fn.__code__)``. Marshalled code only loads in the
Python version that wrote it, and Keras 1 ran on 3.5/3.6, so a model file from
that era cannot be read by ``marshal.loads`` here. A lambda's body is a single
expression, though, so its bytecode can be turned back into Python source:
this module reads the 3.6/3.7 marshal format itself, runs the bytecode
symbolically to rebuild the expression, and compiles ``lambda args: expr``.

Only callers that opted out of safe mode get here (``deserialize_function``):
the rebuilt lambda runs code taken from the file, exactly as ``marshal.loads``
would. Expressions, calls (keyword and ``*``/``**`` ones), attributes,
subscripts and slices, comparisons, ``and``/``or``/``if-else`` are supported;
nested functions, comprehensions and f-strings are refused with a clear error.
"""
import struct
import sys
import types

from .generic_utils import func_load


class LegacyCodeError(ValueError):
    """The marshalled data is 3.6/3.7 code that this translator cannot rebuild."""


# ---------------------------------------------------------------------------- marshal 3.6/3.7
class _Code(object):
    __slots__ = ('argcount', 'kwonlyargcount', 'flags', 'code', 'consts', 'names',
                 'varnames', 'freevars', 'name')


class _Reader(object):
    """The subset of marshal version 4 (CPython 3.4-3.7) that code objects use."""

    def __init__(self, data):
        self.data, self.pos, self.refs = data, 0, []

    def take(self, n):
        if self.pos + n > len(self.data):
            raise EOFError('marshal data too short')
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def i32(self):
        return struct.unpack('<i', self.take(4))[0]

    def obj(self):
        code = self.take(1)[0]
        flag, kind = code & 0x80, chr(code & 0x7f)
        if kind == 'r':
            return self.refs[self.i32()]
        index = None
        if flag:  # reserve the slot first: children are numbered after their container
            index = len(self.refs)
            self.refs.append(None)
        value = self._value(kind)
        if index is not None:
            self.refs[index] = value
        return value

    def _value(self, kind):
        simple = {'N': None, 'F': False, 'T': True, '.': Ellipsis, 'S': StopIteration}
        if kind in simple:
            return simple[kind]
        if kind == 'i':
            return self.i32()
        if kind == 'l':
            n = self.i32()
            digits = struct.unpack('<%dH' % abs(n), self.take(2 * abs(n)))
            value = sum(d << (15 * i) for i, d in enumerate(digits))
            return -value if n < 0 else value
        if kind == 'g':
            return struct.unpack('<d', self.take(8))[0]
        if kind == 'y':
            return complex(*struct.unpack('<dd', self.take(16)))
        if kind == 's':
            return bytes(self.take(self.i32()))
        if kind in 'tua':
            return self.take(self.i32()).decode('utf8' if kind in 'tu' else 'latin1')
        if kind == 'A':
            return self.take(self.i32()).decode('latin1')
        if kind in 'zZ':
            return self.take(self.take(1)[0]).decode('latin1')
        if kind in '([<>':
            n = self.i32()
            items = [self.obj() for _ in range(n)]
            return {'(': tuple, '[': list, '<': set, '>': frozenset}[kind](items)
        if kind == ')':
            return tuple(self.obj() for _ in range(self.take(1)[0]))
        if kind == 'c':
            return self._code()
        raise ValueError('marshal type %r is not read here' % kind)

    def _code(self):
        c = _Code()
        c.argcount, c.kwonlyargcount, _nlocals, _stacksize, c.flags = (
            self.i32() for _ in range(5))
        c.code, c.consts, c.names, c.varnames = self.obj(), self.obj(), self.obj(), self.obj()
        c.freevars, cellvars = self.obj(), self.obj()
        _filename, c.name = self.obj(), self.obj()
        self.i32()  # first line number
        lnotab = self.obj()
        strings = (c.names, c.varnames, c.freevars, cellvars)
        if (not isinstance(c.code, bytes) or len(c.code) % 2 or not isinstance(c.consts, tuple)
                or not all(isinstance(t, tuple) and all(isinstance(s, str) for s in t)
                           for t in strings)
                or not isinstance(c.name, str) or not isinstance(lnotab, bytes)):
            raise ValueError('not a CPython 3.6/3.7 code object')
        if cellvars:
            raise LegacyCodeError('the function defines closures of its own (cell variables)')
        return c


def read_legacy_code(data):
    """The code object in ``data`` if it has CPython 3.6/3.7's marshal layout, else None."""
    if not data or data[0] & 0x7f != ord('c'):
        return None
    reader = _Reader(data)
    try:
        code = reader.obj()
    except LegacyCodeError:
        raise
    except Exception:
        return None
    return code if reader.pos == len(data) else None


# ---------------------------------------------------------------------------- bytecode -> source
_BINARY = {16: '@', 19: '**', 20: '*', 22: '%', 23: '+', 24: '-', 26: '//', 27: '/',
           62: '<<', 63: '>>', 64: '&', 65: '^', 66: '|'}
_UNARY = {10: '+', 11: '-', 12: 'not ', 15: '~'}
_COMPARE = ('<', '<=', '==', '!=', '>', '>=', 'in', 'not in', 'is', 'is not')
_NAMES = {1: 'POP_TOP', 2: 'ROT_TWO', 3: 'ROT_THREE', 4: 'DUP_TOP', 5: 'DUP_TOP_TWO',
          83: 'RETURN_VALUE', 90: 'STORE_NAME', 100: 'LOAD_CONST', 101: 'LOAD_NAME',
          132: 'MAKE_FUNCTION', 155: 'FORMAT_VALUE', 157: 'BUILD_STRING'}
_MAX_STEPS = 20000  # every if/and/or doubles the paths run; a lambda needs far fewer


class _Expr(object):
    """A value on the symbolic stack: its source, and the constant itself when it is one."""
    __slots__ = ('src', 'const', 'slice_', 'items')
    _NONE = object()

    def __init__(self, src, const=_NONE, slice_=False, items=None):
        self.src, self.const, self.slice_, self.items = src, const, slice_, items

    def is_const(self):
        return self.const is not _Expr._NONE


def _index_src(index):
    """Subscript text: slices (``a:b``) and tuples holding slices need the bare syntax."""
    if index.slice_:
        return index.src
    if index.items is not None and any(i.slice_ for i in index.items):
        return ', '.join(i.src for i in index.items) + (',' if len(index.items) == 1 else '')
    return index.src


class _Translator(object):
    def __init__(self, code):
        self.code, self.steps, self.temps = code, 0, 0
        self.consts = []  # constants without a literal spelling, passed in as _kl_consts[i]

    def const(self, value):
        if value is None or isinstance(value, (bool, int, str)) or (
                isinstance(value, float) and value == value and abs(value) != float('inf')):
            return _Expr('(%r)' % (value,), value)
        if isinstance(value, _Code):
            raise LegacyCodeError('it defines a nested function or comprehension')
        self.consts.append(value)
        return _Expr('_kl_consts[%d]' % (len(self.consts) - 1), value)

    def instructions(self, pc):
        raw, arg = self.code.code, 0
        while pc < len(raw):
            op, arg = raw[pc], arg << 8 | raw[pc + 1]
            if op == 144:  # EXTENDED_ARG
                pc += 2
                continue
            yield pc, op, arg
            pc, arg = pc + 2, 0
        raise LegacyCodeError('the bytecode ends without returning a value')

    def run(self, pc, stack):
        """The source of the value returned when execution starts at ``pc`` with ``stack``."""
        stack = list(stack)
        for pc, op, arg in self.instructions(pc):
            self.steps += 1
            if self.steps > _MAX_STEPS:
                raise LegacyCodeError('too many branches')
            nxt = pc + 2
            if op in (110, 113):  # JUMP_FORWARD, JUMP_ABSOLUTE: continue at the target
                target = nxt + arg if op == 110 else arg
                if target <= pc:
                    raise LegacyCodeError('it contains a loop')
                return self.run(target, stack)
            if op in (114, 115):  # POP_JUMP_IF_FALSE / _TRUE
                cond = stack.pop()
                if arg <= pc:
                    raise LegacyCodeError('it contains a loop')
                fall, jump = self.run(nxt, stack), self.run(arg, stack)
                true, false = (fall, jump) if op == 114 else (jump, fall)
                return '(%s if %s else %s)' % (true, cond.src, false)
            if op in (111, 112):  # JUMP_IF_FALSE_OR_POP / JUMP_IF_TRUE_OR_POP (and / or)
                cond, temp = stack.pop(), '_kl_t%d' % self.temps
                self.temps += 1
                fall = self.run(nxt, stack)
                jump = self.run(arg, stack + [_Expr(temp)])
                true, false = (fall, jump) if op == 111 else (jump, fall)
                return '(%s if (%s := %s) else %s)' % (true, temp, cond.src, false)
            if op == 83:  # RETURN_VALUE
                return stack.pop().src
            self.step(op, arg, stack)

    def step(self, op, arg, stack):
        c = self.code
        if op == 1:
            stack.pop()
        elif op == 2:
            stack[-2:] = stack[:-3:-1]
        elif op == 3:
            stack[-3:] = [stack[-1], stack[-3], stack[-2]]
        elif op == 4:
            stack.append(stack[-1])
        elif op == 5:
            stack.extend(stack[-2:])
        elif op == 9:  # NOP
            pass
        elif op in _UNARY:
            stack.append(_Expr('(%s%s)' % (_UNARY[op], stack.pop().src)))
        elif op in _BINARY:
            b, a = stack.pop(), stack.pop()
            stack.append(_Expr('(%s %s %s)' % (a.src, _BINARY[op], b.src)))
        elif op == 25:  # BINARY_SUBSCR
            index, obj = stack.pop(), stack.pop()
            stack.append(_Expr('%s[%s]' % (obj.src, _index_src(index))))
        elif op == 100:
            stack.append(self.const(c.consts[arg]))
        elif op in (101, 116):  # LOAD_NAME, LOAD_GLOBAL
            stack.append(_Expr(c.names[arg]))
        elif op == 124:  # LOAD_FAST
            stack.append(_Expr(c.varnames[arg]))
        elif op == 136:  # LOAD_DEREF (a closure variable, a parameter of the factory)
            stack.append(_Expr(c.freevars[arg]))
        elif op in (106, 160):  # LOAD_ATTR, LOAD_METHOD (3.7)
            stack.append(_Expr('%s.%s' % (stack.pop().src, c.names[arg])))
        elif op == 107:
            if arg >= len(_COMPARE):
                raise LegacyCodeError('comparison %d is not an expression' % arg)
            b, a = stack.pop(), stack.pop()
            stack.append(_Expr('(%s %s %s)' % (a.src, _COMPARE[arg], b.src)))
        elif op in (131, 161):  # CALL_FUNCTION, CALL_METHOD (3.7)
            args = self.pop_n(stack, arg)
            fn = stack.pop()
            stack.append(_Expr('%s(%s)' % (fn.src, ', '.join(a.src for a in args))))
        elif op == 141:  # CALL_FUNCTION_KW: the keyword names are a constant tuple on top
            names = stack.pop().const
            args = self.pop_n(stack, arg)
            fn = stack.pop()
            split = len(args) - len(names)
            parts = [a.src for a in args[:split]]
            parts += ['%s=%s' % (n, a.src) for n, a in zip(names, args[split:])]
            stack.append(_Expr('%s(%s)' % (fn.src, ', '.join(parts))))
        elif op == 142:  # CALL_FUNCTION_EX
            kwargs = stack.pop() if arg & 1 else None
            args, fn = stack.pop(), stack.pop()
            parts = ['*%s' % args.src] + (['**%s' % kwargs.src] if kwargs else [])
            stack.append(_Expr('%s(%s)' % (fn.src, ', '.join(parts))))
        elif op == 102:  # BUILD_TUPLE
            items = self.pop_n(stack, arg)
            body = ', '.join(i.src for i in items) + (',' if arg == 1 else '')
            stack.append(_Expr('(%s)' % body, items=items))
        elif op in (103, 104):  # BUILD_LIST, BUILD_SET
            items = self.pop_n(stack, arg)
            body = ', '.join(i.src for i in items)
            stack.append(_Expr(('[%s]' if op == 103 else '{%s}') % body))
        elif op == 105:  # BUILD_MAP: key, value pairs
            items = self.pop_n(stack, 2 * arg)
            pairs = ['%s: %s' % (k.src, v.src) for k, v in zip(items[::2], items[1::2])]
            stack.append(_Expr('{%s}' % ', '.join(pairs)))
        elif op == 156:  # BUILD_CONST_KEY_MAP
            keys = stack.pop().const
            values = self.pop_n(stack, arg)
            pairs = ['%s: %s' % (self.const(k).src, v.src) for k, v in zip(keys, values)]
            stack.append(_Expr('{%s}' % ', '.join(pairs)))
        elif op in (149, 152, 153, 158):  # BUILD_LIST/TUPLE/SET_UNPACK(_WITH_CALL)
            body = ', '.join('*%s' % i.src for i in self.pop_n(stack, arg))
            stack.append(_Expr({149: '[%s]', 153: '{%s}'}.get(op, '(%s,)') % body))
        elif op in (150, 151):  # BUILD_MAP_UNPACK(_WITH_CALL)
            body = ', '.join('**%s' % i.src for i in self.pop_n(stack, arg))
            stack.append(_Expr('{%s}' % body))
        elif op == 133:  # BUILD_SLICE
            parts = self.pop_n(stack, arg)
            srcs = ['' if p.is_const() and p.const is None else p.src for p in parts]
            stack.append(_Expr(':'.join(srcs), slice_=True))
        else:
            raise LegacyCodeError('opcode %s is not supported' % _NAMES.get(op, op))

    @staticmethod
    def pop_n(stack, n):
        if n > len(stack):
            raise LegacyCodeError('the bytecode pops more values than it pushed')
        items = stack[len(stack) - n:] if n else []
        del stack[len(stack) - n:]
        return items


def translate(code, globs, defaults=None, closure=None):
    """A function equivalent to the 3.6/3.7 ``code`` (from :func:`read_legacy_code`)."""
    flags = code.flags
    if flags & 0x20 or flags & 0x80 or flags & 0x200:  # generator, coroutine, async gen.
        raise LegacyCodeError('it is a generator or coroutine')
    n = code.argcount + code.kwonlyargcount
    params = list(code.varnames[:code.argcount])
    if flags & 0x04:  # *args
        params.append('*' + code.varnames[n])
    elif code.kwonlyargcount:
        params.append('*')
    params += code.varnames[code.argcount:n]
    if flags & 0x08:  # **kwargs
        params.append('**' + code.varnames[n + bool(flags & 0x04)])
    translator = _Translator(code)
    body = translator.run(0, [])
    free = list(code.freevars)
    if len(free) != len(closure or ()):
        raise LegacyCodeError('it needs %d closure values, the file has %d'
                              % (len(free), len(closure or ())))
    source = 'def _kl_make(%s):\n    return lambda %s: %s\n' % (
        ', '.join(['_kl_consts'] + free), ', '.join(params), body)
    namespace = dict(globs)
    try:
        exec(compile(source, '<keras1 %s>' % code.name, 'exec'), namespace)
    except SyntaxError as e:
        raise LegacyCodeError('the rebuilt source does not compile (%s)' % e) from None
    fn = namespace['_kl_make'](tuple(translator.consts), *(closure or ()))
    fn.__defaults__ = tuple(defaults) if defaults else None
    return fn


def load_function(value, globs):
    """Rebuild a function saved by Keras 1's ``func_dump`` (``[code text, defaults, closure]``).

    Bytecode written by CPython 3.6/3.7 is translated when this Python is newer;
    anything else goes to ``marshal.loads`` as before. Raises ``ValueError`` when
    neither can read it.
    """
    code_text, defaults, closure = (tuple(value) + (None, None))[:3] \
        if isinstance(value, (list, tuple)) else (value, None, None)
    data = code_text.encode('raw_unicode_escape')
    legacy = read_legacy_code(data) if sys.version_info[:2] > (3, 7) else None
    if legacy is not None:
        return translate(legacy, globs, defaults, closure)
    fn = func_load(code_text, defaults, closure, globs=globs)
    if not isinstance(fn, types.FunctionType):
        raise ValueError('the marshalled data is not a function')
    return fn
