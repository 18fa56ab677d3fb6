"""Writing an HDF5 file atomically: a crash, a kill or an error never leaves a half-written
file under the target's name, and the previous file stays intact until the new one is
complete and synced.

The file is written to a temporary file in the target's folder, then moved over the
target with ``os.replace``. Temporary files left by killed writers are cleaned up by
the next save of the same target. Used by model saving (``engine/saving_hdf5.py``)
and ``io_utils.save_array``.

>>> with atomic_h5_file('weights.h5') as f:          # doctest: +SKIP
...     f.create_dataset('data', data=[1, 2, 3])
"""
import contextlib
import errno
import os
import re
import secrets
import threading
import time

import h5py


def _fsync_path(path, directory=False):
    try:
        fd = os.open(path, os.O_RDONLY | (getattr(os, 'O_DIRECTORY', 0) if directory else 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# Temporary files are ``.<target name>.pid<writer pid>.<random>.tmp`` beside the target, so
# the next save of that target can tell its own stale ones (left by a killed writer) from
# those of a save still running in another process. ``.<name>.<random>.tmp`` is the
# format of earlier versions (no pid).
_TMP_PATTERN = re.compile(r'pid(\d+)\.[0-9a-f]{12}')
_LEGACY_TMP_PATTERN = re.compile(r'[0-9a-f]{12}')
# A temp file whose pid is alive is still removed when untouched this long: the pid was
# then reused by an unrelated process (containers restart their jobs with the same pids).
STALE_TMP_AGE_S = 24 * 3600
_active_tmp = set()  # temp files this process is writing right now (one per atomic_h5_file)
_active_lock = threading.Lock()


def _has_write_permission(path):
    """``os.access`` plus the mode bits: root may write anywhere, but a file (or folder)
    without any write bit was made read-only on purpose, and is refused for root too."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return os.access(path, os.W_OK) and bool(mode & 0o222)


def check_writable(filepath, target):
    """Raise before anything is written if ``target`` (the resolved ``filepath``) cannot be
    replaced: a read-only file, a directory, a missing or read-only folder."""
    shown = os.fspath(filepath)
    if target != os.path.abspath(shown):
        shown = '%s (-> %s)' % (shown, target)
    folder = os.path.dirname(target)
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, 'Cannot save a Keras file over a directory',
                                shown)
    if os.path.exists(target) and not _has_write_permission(target):
        raise PermissionError(errno.EACCES, 'Refusing to overwrite a read-only file (make it '
                                            'writable or save to another path)', shown)
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, 'Cannot save %s: its folder does not exist'
                                % os.path.basename(target), folder)
    if not _has_write_permission(folder):
        raise PermissionError(errno.EACCES, 'Cannot save %s: its folder is read-only (the file '
                                            'is written beside its target, then moved into '
                                            'place)' % os.path.basename(target), folder)


def _pid_alive(pid):
    if os.name == 'nt':  # os.kill would terminate the process there: assume it is alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, owned by someone else
        return True
    try:  # a killed child nobody has reaped yet is a zombie: it writes nothing any more
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (OSError, IndexError):
        return True


def _is_stale(path, middle, started):
    match = _TMP_PATTERN.fullmatch(middle)
    try:
        age = started - os.stat(path).st_mtime
    except OSError:
        return False
    if match is None:  # an earlier version's name: no pid, judge by age only
        return _LEGACY_TMP_PATTERN.fullmatch(middle) is not None and age > 0
    pid = int(match.group(1))
    if pid == os.getpid():
        with _active_lock:  # ours and not being written: left by a killed process with our pid
            return path not in _active_tmp
    return not _pid_alive(pid) or age > STALE_TMP_AGE_S


def remove_stale_temporaries(target, started=None):
    """Delete the temporary files that killed saves of ``target`` left beside it.

    Those of a save still running (its process alive) are kept. Returns the paths removed.
    """
    started = time.time() if started is None else started
    folder, name = os.path.split(target)
    prefix, suffix = '.%s.' % name, '.tmp'
    removed = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    for entry in entries:
        if not (entry.startswith(prefix) and entry.endswith(suffix)):
            continue
        path = os.path.join(folder, entry)
        if _is_stale(path, entry[len(prefix):-len(suffix)], started):
            with contextlib.suppress(OSError):
                os.remove(path)
                removed.append(path)
    return removed


@contextlib.contextmanager
def atomic_h5_file(filepath):
    """Yield a new ``h5py.File`` that replaces ``filepath`` only once fully written and synced.

    The temporary file (``.<name>.pid<pid>.<random>.tmp``) lives in the target's folder,
    so ``os.replace`` is atomic; on any error it is removed and the target is untouched.
    Stale temporaries of the same target (from killed saves) are removed first. A
    read-only target or folder raises ``PermissionError`` before anything is written.
    A symbolic link is written through (its target is replaced).
    """
    started = time.time()
    target = os.path.realpath(os.fspath(filepath))
    check_writable(filepath, target)
    folder = os.path.dirname(target)
    remove_stale_temporaries(target, started)
    tmp = os.path.join(folder, '.%s.pid%d.%s.tmp' % (os.path.basename(target), os.getpid(),
                                                     secrets.token_hex(6)))
    with _active_lock:
        _active_tmp.add(tmp)
    try:
        f = h5py.File(tmp, 'x')
        try:
            yield f
            f.close()
            _fsync_path(tmp)
            if os.path.exists(target):
                os.chmod(tmp, os.stat(target).st_mode & 0o7777)
            os.replace(tmp, target)
            _fsync_path(folder, directory=True)
        except BaseException:
            try:
                f.close()
            except Exception:
                pass
            with contextlib.suppress(OSError):
                os.remove(tmp)
            raise
    finally:
        with _active_lock:
            _active_tmp.discard(tmp)
