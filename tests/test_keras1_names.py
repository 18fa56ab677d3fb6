"""Every public name of Keras 1.2.2 is importable from the same module path in keraslike,
with a compatible signature (issue 15).

The ground truth, ``fixtures/keras1_public_names.json``, was dumped from real
Keras 1.2.2 by ``tools/keras1_public_names_dump.py`` (see its docstring). For
each recorded (module, name), ``keras`` -> ``keraslike``, the module must have
the name; for functions and classes (their ``__init__``), every Keras 1
parameter must be accepted (by name or by ``**kwargs``), the Keras 1
positional parameters must keep their positions, ``*args``/``**kwargs`` must be
kept, and keraslike must require no parameter that Keras 1 does not.
Import-only: nothing is compiled.
"""
import importlib
import inspect
import json
import os

import pytest

FIXTURE = os.path.join(os.path.dirname(__file__), 'fixtures', 'keras1_public_names.json')
with open(FIXTURE) as _f:
    KERAS1 = json.load(_f)['modules']

# Deliberate differences, each with its reason. A module maps to a reason for all its names.
MODULE_EXCEPTIONS = {
    'keras.applications': 'no keras.applications: the pretrained models (VGG16/19, ResNet50, '
                          'InceptionV3, Xception, MusicTaggerCRNN) need weight downloads from '
                          'the network and are not provided',
}
NAME_EXCEPTIONS = {
    ('keras.backend', 'ctc_path_probs'): 'internal step of Keras 1\'s Theano CTC (smoothed '
        'forward-backward); keraslike computes CTC with its own forward recursion: use '
        'ctc_batch_cost / ctc_cost',
    ('keras.backend', 'ctc_update_log_p'): 'internal step of Keras 1\'s Theano CTC, as '
        'ctc_path_probs',
    ('keras.backend', 'pattern_broadcast'): 'Keras 1.2.2 misspells the second parameter '
        '`broatcastable`; keraslike spells it `broadcastable` (same position, so positional '
        'calls, the only ones Keras 1 code makes, work)',
    ('keras.layers.convolutional_recurrent', 'ConvRecurrent2D'): 'abstract base class ("do '
        'not use in a model") of ConvLSTM2D; keraslike\'s ConvLSTM2D stands alone, custom '
        'convolutional recurrent layers subclass Layer',
}
# the same objects re-exported under other Keras 1 paths carry the same reasons
for _alias in ('keras.backend.theano_backend',):
    for (_mod, _name), _why in list(NAME_EXCEPTIONS.items()):
        if _mod == 'keras.backend':
            NAME_EXCEPTIONS[(_alias, _name)] = _why
for _alias in ('keras.layers', 'keras.utils.layer_utils'):
    NAME_EXCEPTIONS[(_alias, 'ConvRecurrent2D')] = \
        NAME_EXCEPTIONS[('keras.layers.convolutional_recurrent', 'ConvRecurrent2D')]


def _module_exception(module):
    for prefix, reason in MODULE_EXCEPTIONS.items():
        if module == prefix or module.startswith(prefix + '.'):
            return reason
    return None


def ours(module):
    return 'keraslike' + module[len('keras'):]


def signature_problems(keras1_params, obj):
    """Why ``obj`` cannot be called the ways Keras 1's signature allows (empty if it can)."""
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return ['has no signature (not a function or class?)']
    P = inspect.Parameter
    by_name = {p.name: p for p in params if p.kind != P.POSITIONAL_ONLY}
    has_kwargs = any(p.kind == P.VAR_KEYWORD for p in params)
    has_args = any(p.kind == P.VAR_POSITIONAL for p in params)
    positional = [p.name for p in params if p.kind in (P.POSITIONAL_ONLY,
                                                       P.POSITIONAL_OR_KEYWORD)]
    problems, required, k1_positional = [], set(), []
    for spec in keras1_params:
        if spec.startswith('**'):
            if not has_kwargs:
                problems.append('lacks **%s' % spec[2:])
            continue
        if spec.startswith('*') and not spec.startswith('*:'):
            if not has_args:
                problems.append('lacks *%s' % spec[1:])
            continue
        keyword_only = spec.startswith('*:')
        name = spec[2:] if keyword_only else spec
        if not name.endswith('='):
            required.add(name)
        name = name.rstrip('=')
        if not keyword_only:
            k1_positional.append(name)
        if name not in by_name and not has_kwargs:
            problems.append('does not accept %r' % name)
    for i, name in enumerate(k1_positional):
        p = by_name.get(name)
        if p is not None and p.kind == P.POSITIONAL_OR_KEYWORD and (
                i >= len(positional) or positional[i] != name):
            problems.append('positional argument %d is %r, Keras 1 has %r'
                            % (i, positional[i] if i < len(positional) else None, name))
    for p in params:
        if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY) \
                and p.default is P.empty and p.name not in required:
            problems.append('requires %r, which Keras 1 does not' % p.name)
    return problems


def test_fixture_is_keras_1_2_2():
    assert len(KERAS1) > 40 and 'keras.layers' in KERAS1
    assert sum(len(names) for names in KERAS1.values()) > 900


@pytest.mark.parametrize('module', sorted(KERAS1))
def test_keras1_module_names(module):
    reason = _module_exception(module)
    if reason:
        pytest.skip(reason)
    mod = importlib.import_module(ours(module))
    missing, incompatible = [], []
    for name, entry in sorted(KERAS1[module].items()):
        if (module, name) in NAME_EXCEPTIONS:
            continue
        if not hasattr(mod, name):
            missing.append(name)
            continue
        if entry['kind'] in ('class', 'function') and entry.get('params'):
            problems = signature_problems(entry['params'], getattr(mod, name))
            if problems:
                incompatible.append('%s: %s' % (name, '; '.join(problems)))
    assert not missing, '%s lacks Keras 1 names: %s' % (ours(module), missing)
    assert not incompatible, '%s signatures differ from Keras 1:\n%s' % (
        ours(module), '\n'.join(incompatible))


def test_exceptions_are_still_needed():
    """An exception whose name now exists and fits must be removed from the lists."""
    for (module, name), _ in sorted(NAME_EXCEPTIONS.items()):
        assert name in KERAS1[module], (module, name)
        mod = importlib.import_module(ours(module))
        if hasattr(mod, name):
            entry = KERAS1[module][name]
            assert signature_problems(entry['params'], getattr(mod, name)), (module, name)


def test_signature_check_catches_incompatibilities():
    def renamed(x, values):
        pass

    def extra_required(x, y, z):
        pass

    def reordered(y, x=None):
        pass

    def fine(x, y=1, z=2, **kwargs):
        pass

    assert signature_problems(['x', 'y='], renamed) == [
        "does not accept 'y'", "requires 'values', which Keras 1 does not"]
    assert signature_problems(['x', 'y'], extra_required) == [
        "requires 'z', which Keras 1 does not"]
    assert signature_problems(['x', 'y'], reordered)[0].startswith('positional argument 0')
    assert signature_problems(['x', 'y=', 'w=', '**kwargs'], fine) == []
    assert signature_problems(['x', '**kwargs'], renamed) == [
        'lacks **kwargs', "requires 'values', which Keras 1 does not"]
