"""Downloading and caching files (``keras.utils.data_utils.get_file``).

Files are cached under ``~/.keras/<cache_subdir>/`` (``$KERAS_HOME`` or the
``cache_dir`` argument move it; ``/tmp/.keras`` if the folder is not
writable). A download goes to a temporary file in the cache folder and is
renamed into place only once complete and hash-checked, so an interrupted or
corrupt download never leaves a partial file under the final name; an
existing file is never deleted because a new download failed.

>>> url = 'https://s3.amazonaws.com/img-datasets/mnist.pkl.gz'
>>> path = get_file('mnist.pkl.gz', origin=url)  # doctest: +SKIP
"""
import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile

from .progbar import Progbar  # noqa: F401  (Keras 1 path)

_CHUNK = 65536


def __getattr__(name):
    # Keras 2 location of GeneratorEnqueuer; imported lazily (it pulls in the engine).
    if name == 'GeneratorEnqueuer':
        from keraslike.engine.generator_queue import GeneratorEnqueuer
        return GeneratorEnqueuer
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def _open_url(origin, timeout=60):
    """The network access of this module (tests replace it)."""
    return urllib.request.urlopen(origin, timeout=timeout)


def cache_base_dir(cache_dir=None):
    """The folder holding ``datasets/`` etc.: ``cache_dir``, ``$KERAS_HOME``, ``~/.keras``
    or, if that cannot be written, ``/tmp/.keras``."""
    base = cache_dir or os.environ.get('KERAS_HOME') or os.path.join(
        os.path.expanduser('~'), '.keras')
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if not os.access(base, os.W_OK):
        base = os.path.join(tempfile.gettempdir(), '.keras')
    return base


def _hash_algorithm(file_hash, algorithm):
    if algorithm in ('sha256', 'md5'):
        return algorithm
    if algorithm != 'auto':
        raise ValueError('Unknown hash algorithm: %r (use "md5", "sha256" or "auto").'
                         % (algorithm,))
    return 'sha256' if len(file_hash) == 64 else 'md5'


def hash_file(fpath, algorithm='sha256', chunk_size=_CHUNK):
    """Hex digest of a file (``'sha256'`` or ``'md5'``)."""
    hasher = hashlib.sha256() if algorithm == 'sha256' else hashlib.md5()
    with open(fpath, 'rb') as f:
        for chunk in iter(lambda: f.read(chunk_size), b''):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash=None, algorithm='auto', chunk_size=_CHUNK, *, md5_hash=None):
    """True if the file's hash equals ``file_hash`` (md5 or sha256; ``'auto'`` picks sha256
    for 64 hex digits). Keras 1 called this ``validate_file(fpath, md5_hash)``: the
    second positional argument is the same slot, and ``md5_hash=`` is accepted by name."""
    if md5_hash is not None:
        if file_hash is not None:
            raise TypeError('validate_file: pass `file_hash` or `md5_hash`, not both.')
        file_hash, algorithm = md5_hash, 'md5'
    if file_hash is None:
        raise TypeError('validate_file: missing the expected hash (`file_hash` or `md5_hash`).')
    algorithm = _hash_algorithm(file_hash, algorithm)
    return hash_file(fpath, algorithm, chunk_size) == str(file_hash).lower()


def _download(origin, fpath, file_hash=None, algorithm='auto'):
    """Fetch ``origin`` into ``fpath`` atomically (temp file + ``os.replace``)."""
    from keraslike.utils.progbar import Progbar
    datadir = os.path.dirname(fpath) or '.'
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(fpath) + '.', suffix='.part',
                               dir=datadir)
    try:
        with os.fdopen(fd, 'wb') as out:
            with _open_url(origin) as response:
                total = response.headers.get('Content-Length') if hasattr(
                    response, 'headers') else None
                progbar = Progbar(int(total)) if total and int(total) > 0 else None
                done = 0
                for chunk in iter(lambda: response.read(_CHUNK), b''):
                    out.write(chunk)
                    done += len(chunk)
                    if progbar is not None:
                        progbar.update(min(done, progbar.target))
        if file_hash is not None and not validate_file(tmp, file_hash, algorithm):
            raise ValueError('The file downloaded from %s does not match the expected hash %s; '
                             'it was not saved.' % (origin, file_hash))
        os.replace(tmp, fpath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _extract_archive(file_path, path, archive_format='auto'):
    """Extract a tar/zip archive into ``path`` (members may not leave it). Members are
    extracted in a temporary folder first and moved into place when complete."""
    formats = ['tar', 'zip'] if archive_format == 'auto' else archive_format
    formats = [formats] if isinstance(formats, str) else list(formats or [])
    for fmt in formats:
        if fmt == 'tar' and tarfile.is_tarfile(file_path):
            opener = tarfile.open
        elif fmt == 'zip' and zipfile.is_zipfile(file_path):
            opener = zipfile.ZipFile
        else:
            continue
        tmpdir = tempfile.mkdtemp(prefix='.extract-', dir=path)
        try:
            with opener(file_path) as archive:
                if opener is tarfile.open:
                    try:
                        archive.extractall(tmpdir, filter='data')
                    except TypeError:  # Python without extraction filters
                        _check_members([m.name for m in archive.getmembers()])
                        archive.extractall(tmpdir)
                else:
                    _check_members(archive.namelist())
                    archive.extractall(tmpdir)
            for name in os.listdir(tmpdir):
                target = os.path.join(path, name)
                if not os.path.exists(target):
                    os.replace(os.path.join(tmpdir, name), target)
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
        return True
    return False


def _check_members(names):
    for name in names:
        norm = os.path.normpath(name)
        if os.path.isabs(norm) or norm.startswith('..'):
            raise ValueError('Refusing to extract %r: it would leave the target folder.' % name)


def _missing_file_error(origin, fpath, reason, extracted=None, stale=False):
    place = 'place it at %s' % fpath
    if extracted:
        place += ' (or its extracted contents at %s)' % extracted
    what = ('The file at %s does not match its published hash and a fresh copy could not '
            'be downloaded' % fpath) if stale else 'The file could not be downloaded'
    return OSError('URL fetch failure on %s: %s. %s on this machine: download it elsewhere '
                   'and %s.' % (origin, reason, what, place))


def get_file(fname, origin, untar=False, md5_hash=None, cache_subdir='datasets',
             file_hash=None, hash_algorithm='auto', extract=False, archive_format='auto',
             cache_dir=None):
    """Path of ``fname`` in the cache, downloading it from ``origin`` if missing.

    - ``md5_hash`` (Keras 1) or ``file_hash`` (md5 or sha256, Keras 2): a cached
      file whose hash differs is downloaded again (the old one is kept if that fails);
    - ``untar=True``: the download is saved as ``<fname>.tar.gz``, extracted into
      the cache folder, and the extracted path ``<cache>/<fname>`` is returned; an
      already extracted ``<fname>`` is used without looking for the archive;
    - ``extract=True`` (Keras 2): extract the tar/zip file next to it, return the
      archive's path.

    A file that is missing and cannot be downloaded raises ``OSError`` naming the
    path where it should be placed.
    """
    datadir_base = cache_base_dir(cache_dir)
    datadir = os.path.join(datadir_base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    if file_hash is None and md5_hash is not None:
        file_hash, hash_algorithm = md5_hash, 'md5'

    untar_fpath = None
    if untar:
        untar_fpath = os.path.join(datadir, fname)
        fpath = untar_fpath + '.tar.gz'
        if os.path.exists(untar_fpath):
            return untar_fpath
    else:
        fpath = os.path.join(datadir, fname)

    download = not os.path.exists(fpath)
    stale = False
    if not download and file_hash is not None and not validate_file(fpath, file_hash,
                                                                     hash_algorithm):
        print('A local file was found, but it seems to be incomplete or outdated because the '
              + _hash_algorithm(file_hash, hash_algorithm) + ' file hash does not match the '
              'original value of ' + file_hash + ' so we will re-download the data.')
        download = stale = True

    if download:
        print('Downloading data from', origin)
        try:
            _download(origin, fpath, file_hash, hash_algorithm)
        except urllib.error.HTTPError as e:
            raise _missing_file_error(origin, fpath, '%s %s' % (e.code, e.msg), untar_fpath,
                                      stale)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            reason = getattr(e, 'reason', None) or e
            raise _missing_file_error(origin, fpath, reason, untar_fpath, stale)

    if untar:
        print('Untaring file...')
        _extract_archive(fpath, datadir, archive_format='tar')
        return untar_fpath
    if extract:
        _extract_archive(fpath, datadir, archive_format)
    return fpath
