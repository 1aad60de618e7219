"""Writing export files so that a reader, or a worker killed mid-write, never
sees half a file; and the lock that keeps two exports out of one repository.

A file is written to a temporary name in its own folder, flushed to disk,
renamed over the target (atomic on POSIX), and the folder is flushed so the
rename survives a crash. A temporary file left by a killed worker is removed
by the next export of the same file, under the lock. Imports no domain models.
"""

import contextlib
import errno
import fcntl
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".export-tmp"
# Test hook only: "<point>:<seconds>" stops the export that long at one
# point ("before-rename", "after-rename" of the first file written,
# "after-commit"), so a test can kill the worker exactly there.
PAUSE_ENV = "POSTMORTEMS_EXPORT_TEST_PAUSE"


class LockTimeout(Exception):
    """Another export held the repository's lock for too long (retried later)."""


def pause_for_tests(point: str) -> None:
    at, _, seconds = os.environ.get(PAUSE_ENV, "").partition(":")
    if at == point and float(seconds or 0) > 0:
        log.warning("export paused for tests at %s", point)  # the test waits for this line
        time.sleep(float(seconds))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_files(path: Path) -> list[Path]:
    """Temporary files of ``path`` left behind by an interrupted write."""
    if not path.parent.is_dir():
        return []
    return sorted(path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"))


def same_content(path: Path, content: str) -> bool:
    try:
        return path.read_bytes() == content.encode()
    except FileNotFoundError:
        return False


def write_atomic(path: Path, content: str) -> bool:
    """Write ``content`` to ``path`` whole or not at all; False when it was
    already there byte for byte (nothing is written then)."""
    for stale in temp_files(path):
        stale.unlink(missing_ok=True)
    if same_content(path, content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode())
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)  # mkstemp's 0600 would hide the file from the team
        pause_for_tests("before-rename")
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_dir(path.parent)
    pause_for_tests("after-rename")
    return True


@contextlib.contextmanager
def locked(lock_file: Path, *, timeout: float = 120.0) -> Iterator[None]:
    """An exclusive lock on ``lock_file`` across processes (and workers on one
    host sharing the folder); the kernel drops it if the holder dies."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise LockTimeout(f"{lock_file} stayed locked for {timeout:.0f} s") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
