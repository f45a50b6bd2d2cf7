"""The raw folder on disk: which entries it holds, and the bytes of one of them, read safely.

The raw folder is a run's only input, so the walk and the reading of its files happen here and
nowhere else: `raw_files` lists every entry (hidden ones, links, FIFOs too, so that nothing under the
folder goes unrecorded), `entry_problem` tells without opening an entry why it is not a file to read
(hidden, a link that leaves the folder or leads to a folder, not a regular file, unreadable), and
`read_raw_bytes` reads one file, without following links or blocking on a FIFO, up to `MAX_BYTES`.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from dxdata.ingest.errors import IngestError

MAX_BYTES = 5_000_000


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def entry_problem(path: Path, raw_dir: Path) -> IngestError | None:
    """Why an entry under `raw_dir` cannot be read as an article file, told without opening it.

    Hidden entries (a name starting with '.') are `hidden`; a link that leads outside the raw folder is
    `outside_raw_folder` (the raw folder is the only input: nothing else may get in through a link); a
    link to a folder is `link_to_folder` (a folder inside is read under its own path); FIFOs, sockets and
    devices are `not_a_file`; a folder that cannot be listed and a broken link are `unreadable`.
    A link to a file inside the raw folder is read as that file (None).
    """
    root = raw_dir.resolve()
    rel = _relative(path, raw_dir)
    if _hidden(rel):
        kind = "folder" if path.is_dir() and not path.is_symlink() else "file"
        return IngestError(
            "hidden",
            f"A hidden {kind} (its name starts with '.'): not read, so that editor, system and "
            "version-control files never become articles; rename it to include it.",
        )
    try:
        st = path.lstat()
    except OSError as err:
        return IngestError("unreadable", f"The entry could not be examined ({err.strerror or err}).")
    if stat.S_ISLNK(st.st_mode):
        target = Path(os.path.realpath(path))
        if not _inside(target, root):
            return IngestError(
                "outside_raw_folder",
                f"A link to {target}, outside the raw folder: links may only lead to files inside it; "
                "copy the file into the raw folder to include it.",
            )
        try:
            st = target.stat()
        except OSError as err:
            return IngestError("unreadable", f"A broken link ({err.strerror or err}).")
        if stat.S_ISDIR(st.st_mode):
            return IngestError(
                "link_to_folder",
                "A link to a folder of the raw folder: links to folders are not followed "
                "(the folder's files are read under their own paths).",
            )
    if stat.S_ISDIR(st.st_mode):
        try:
            with os.scandir(path):
                pass
        except OSError as err:
            return IngestError(
                "unreadable", f"The folder could not be listed ({err.strerror or err}): none of its files were read."
            )
        return IngestError("not_a_file", "A folder where a file was expected.")
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a socket or device"
        return IngestError("not_a_file", f"The entry is {kind}, not a regular file: not read.")
    return None


def _relative(path: Path, raw_dir: Path) -> str:
    """The posix path of an entry relative to the raw folder, always valid UTF-8 (odd bytes escaped)."""
    rel = path.relative_to(raw_dir).as_posix()
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        rel = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return rel


def read_raw_bytes(path: Path, raw_dir: Path | None = None, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of one raw file; with `raw_dir`, only if `entry_problem` finds none (never blocks on a FIFO)."""
    if raw_dir is not None:
        problem = entry_problem(path, raw_dir)
        if problem is not None:
            raise problem
        path = Path(os.path.realpath(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise IngestError("not_a_file", "The entry is not a regular file: not read.")
            if st.st_size > max_bytes:
                raise IngestError(
                    "too_large",
                    f"The file has {st.st_size:,} bytes, more than the {max_bytes:,} allowed for one article.",
                )
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise IngestError("unreadable", f"The file could not be read ({err.strerror or err}).") from err
    if len(data) > max_bytes:
        raise IngestError("too_large", f"The file has more than the {max_bytes:,} bytes allowed for one article.")
    return data


def raw_files(raw_dir: Path) -> list[tuple[str, Path]]:
    """Every entry under raw_dir, by relative posix path (deterministic order).

    Each ends as an article or a reject (`read_article` says why an entry is not read, see
    `entry_problem`): regular files and links to files, and also hidden files and folders (not entered),
    FIFOs, sockets, links to folders (not followed) and folders that cannot be listed. Nothing under the
    raw folder goes unrecorded.
    """
    raw_dir = Path(raw_dir)
    found: list[tuple[str, Path]] = []

    def unlisted(err: OSError) -> None:
        if err.filename is None or Path(err.filename) == raw_dir:
            raise err
        found.append((_relative(Path(err.filename), raw_dir), Path(err.filename)))

    for dirpath, dirnames, filenames in os.walk(raw_dir, onerror=unlisted):
        keep = []
        for d in dirnames:
            path = Path(dirpath) / d
            if d.startswith(".") or path.is_symlink():
                found.append((_relative(path, raw_dir), path))  # recorded, not entered
            else:
                keep.append(d)
        dirnames[:] = keep
        for name in filenames:
            path = Path(dirpath) / name
            found.append((_relative(path, raw_dir), path))
    found.sort(key=lambda item: item[0])
    return found
