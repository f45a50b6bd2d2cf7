"""What the commands share: argument types, the `--batch-size` option, and one-line messages for folder and
file errors (each command module declares its own parser; these keep them saying the same)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def add_batch_size_argument(parser: argparse.ArgumentParser) -> None:
    """`--batch-size`, as `dxdata refresh` and the served flow (`flows/serve.py`) take it."""
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=500,
        metavar="N",
        help="articles per chunk (one task and one Parquet part per table each) (default: %(default)s)",
    )


def positive_int(text: str) -> int:
    """An argparse type: an integer of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def output_folder_problem(out_dir: Path) -> str | None:
    """Why `out_dir` cannot take a dataset (a file, not writable), or None: checked before any work."""
    if out_dir.exists() and not out_dir.is_dir():
        return f"output folder {out_dir} is a file, not a folder; choose another --out-dir"
    existing = next((p for p in (out_dir, *out_dir.absolute().parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        return f"{existing} is a file, so output folder {out_dir} cannot be made there"
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        return f"output folder {out_dir} is not writable ({existing} is read-only for this user)"
    return None


def describe_os_error(err: OSError) -> str:
    """One line for a failed file operation: what failed, where, and what to do for the usual causes."""
    import errno

    where = f" ({err.filename})" if err.filename else ""
    text = f"{err.strerror or err}{where}"
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full: {text}; free some space and run again (nothing was published)"
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"permission denied: {text}; check that the output folder is writable"
    return f"a file operation failed: {text}"
