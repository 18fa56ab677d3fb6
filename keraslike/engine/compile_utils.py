"""What ``compile`` builds: target placeholders, weighted losses, metric tensors and names.

Keras 1 rules: the total loss is the weighted sum of the per-output losses
plus the layers' losses (regularisers); ``metrics_names`` is ``['loss']``,
then ``<output>_loss`` for each output when there are several, then each
output's metrics; 'accuracy' becomes binary, sparse or categorical accuracy
depending on the output shape and loss.
"""
from keraslike import backend as K


def _safe_divide(x, fraction):
    """``x / fraction``, but ``x`` itself where ``fraction`` is 0.

    ``fraction`` (the share of unmasked steps or of non-zero weights) is 0 only
    when every term of ``x`` was multiplied by 0: Keras 1's plain division then
    gives 0/0 = NaN, and the NaN gradient poisons the weights. Here such a batch
    has loss 0 and changes nothing; any other batch gets Keras 1's exact value.
    """
    return x / (fraction + K.cast(K.equal(fraction, 0), K.floatx()))


def weighted_objective(fn):
    """Wrap a per-sample loss with output masking and sample weighting (Keras 1 formula)."""
    def weighted(y_true, y_pred, weights, mask=None):
        score_array = fn(y_true, y_pred)
        if mask is not None:
            mask = K.cast(mask, K.floatx())
            score_array = score_array * mask
            score_array = _safe_divide(score_array, K.mean(mask))
        ndim, weight_ndim = K.ndim(score_array), K.ndim(weights)
        if ndim > weight_ndim:
            score_array = K.mean(score_array, axis=list(range(weight_ndim, ndim)))
        score_array = score_array * weights
        score_array = _safe_divide(score_array,
                                   K.mean(K.cast(K.not_equal(weights, 0), K.floatx())))
        return K.mean(score_array)
    weighted.__name__ = getattr(fn, '__name__', 'weighted')
    return weighted


def _per_output(value, output_names, what, default=None, require_all=False):
    """Expand a single value, list or dict (keyed by output name) to one entry per output."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in output_names]
        if unknown:
            raise ValueError('Unknown entry in %s dictionary: "%s". Only expected the following '
                             'keys: %s' % (what, unknown[0], output_names))
        if require_all:
            missing = [n for n in output_names if n not in value]
            if missing:
                raise ValueError('Output "%s" missing from %s dictionary.' % (missing[0], what))
        return [value.get(n, default) for n in output_names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(output_names):
            raise ValueError('When passing a list as %s, it should have one entry per model '
                             'output. The model has %d outputs, but you passed %s=%s'
                             % (what, len(output_names), what, value))
        return list(value)
    return [value for _ in output_names]


def _loss_function(identifier, output_name):
    """The loss function for one output, from ``compile``'s ``loss`` argument."""
    from keraslike import objectives
    if isinstance(identifier, str):
        try:
            return objectives.get(identifier)
        except ValueError as e:
            raise ValueError('compile(): unknown `loss` %r for output "%s". %s'
                             % (identifier, output_name, e))
    if not callable(identifier):
        raise TypeError('compile(): `loss` for output "%s" should be a loss name (e.g. '
                        '\'categorical_crossentropy\') or a function (y_true, y_pred), got %r '
                        '(%s).' % (output_name, identifier, type(identifier).__name__))
    return objectives.get(identifier)


def collect_metrics(metrics, output_names):
    """One list of metrics per output (Keras 1): a list applies to every output, a dict
    maps output names to a metric or a list of metrics."""
    if not metrics:
        return [[] for _ in output_names]
    if isinstance(metrics, (list, tuple)):
        return [list(metrics) for _ in output_names]
    if isinstance(metrics, dict):
        per_output = _per_output(metrics, output_names, 'metrics', default=[])
        return [list(m) if isinstance(m, (list, tuple)) else [m] for m in per_output]
    raise TypeError('Type of `metrics` argument not understood. Expected a list or dictionary, '
                    'found: %r' % (metrics,))


def _accuracy_fn(output_shape, loss_fn):
    from keraslike import metrics as metrics_module
    loss_name = getattr(loss_fn, '__name__', '')
    if output_shape[-1] == 1 or loss_name == 'binary_crossentropy':
        return metrics_module.binary_accuracy
    if loss_name == 'sparse_categorical_crossentropy':
        return metrics_module.sparse_categorical_accuracy
    return metrics_module.categorical_accuracy


def build_losses_and_metrics(model, loss, metrics, loss_weights, sample_weight_mode):
    """Set the compile-time attributes of ``model`` (targets, total_loss, metrics_*...)."""
    from keraslike import metrics as metrics_module
    names = model.output_names
    model.loss_functions = [_loss_function(fn, name) for fn, name in
                            zip(_per_output(loss, names, 'loss', require_all=True), names)]
    weights = [1. if w is None else float(w) for w in
               _per_output(loss_weights, names, 'loss_weights', default=1.)]
    modes = _per_output(sample_weight_mode, names, 'sample_weight_mode', require_all=True)
    model.sample_weight_modes = modes

    model.targets, model.sample_weights = [], []
    for name, output, mode in zip(names, model.outputs, modes):
        model.targets.append(K.placeholder(ndim=K.ndim(output), dtype=K.dtype(output),
                                           name=name + '_target'))
        model.sample_weights.append(K.placeholder(ndim=2 if mode == 'temporal' else 1,
                                                  name=name + '_sample_weights'))

    model.metrics_names = ['loss']
    model.metrics_tensors = []
    total_loss = None
    for i, name in enumerate(names):
        output_loss = weighted_objective(model.loss_functions[i])(
            model.targets[i], model.outputs[i], model.sample_weights[i], model.output_masks[i])
        if len(names) > 1:
            model.metrics_tensors.append(output_loss)
            model.metrics_names.append(name + '_loss')
        term = weights[i] * output_loss if weights[i] != 1. else output_loss
        total_loss = term if total_loss is None else total_loss + term
    for regularization_loss in model.losses:
        total_loss = total_loss + regularization_loss
    model.total_loss = total_loss

    model.metrics = metrics
    per_output_metrics = collect_metrics(metrics, names)
    for i, name in enumerate(names):
        prefix = name + '_' if len(names) > 1 else ''
        y_true, y_pred = model.targets[i], model.outputs[i]
        for metric in per_output_metrics[i]:
            if metric in ('accuracy', 'acc'):
                fn = _accuracy_fn(model.internal_output_shapes[i], model.loss_functions[i])
                model.metrics_tensors.append(K.cast(fn(y_true, y_pred), K.floatx()))
                model.metrics_names.append(prefix + 'acc')
                continue
            fn = metrics_module.get(metric)
            result = fn(y_true, y_pred)
            if isinstance(result, dict):
                for key, value in result.items():
                    model.metrics_tensors.append(value)
                    model.metrics_names.append(prefix + key)
            else:
                model.metrics_tensors.append(result)
                model.metrics_names.append(prefix + fn.__name__)
