"""Paths, temporary files and compression for Table IO.

Parsons decides compression from the file name: `.gz` is gzip, `.zip` a zip archive holding one
CSV. A writer called without a path writes to a temporary file that is removed when the
interpreter exits, as Parsons does.
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import gzip
import logging
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from turnout.errors import TableError, TableFileNotFoundError, TableFormatError

logger = logging.getLogger(__name__)

_TEMP_FILES: list[str] = []
_COMPRESSION_SUFFIXES = {None: "", "gzip": ".gz", "zip": ".zip"}


def _remove_temp_files() -> None:
    for path in _TEMP_FILES:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


atexit.register(_remove_temp_files)


def temp_path(suffix: str) -> str:
    """A new empty temporary file ending in `suffix`, removed when the interpreter exits."""
    handle, path = tempfile.mkstemp(suffix=suffix, prefix="turnout_")
    os.close(handle)
    _TEMP_FILES.append(path)
    return path


def compression_for_path(path: str | os.PathLike | None) -> str | None:
    """'gzip' for a `.gz` path, 'zip' for a `.zip` path, None otherwise."""
    if path is None:
        return None
    name = str(path).lower()
    if name.endswith(".gz"):
        return "gzip"
    if name.endswith(".zip"):
        return "zip"
    return None


def suffix_for_compression(compression: str | None) -> str:
    """The file-name suffix for `temp_file_compression` ('gzip', 'zip' or None)."""
    try:
        return _COMPRESSION_SUFFIXES[compression]
    except KeyError:
        raise TableError(
            f"temp_file_compression={compression!r} is not supported; use None, 'gzip' or 'zip'"
        ) from None


def canonical_encoding(encoding: str | None) -> str:
    """The codec's canonical name ('utf-8', 'latin-1'...); None means UTF-8, as on Linux."""
    if encoding is None:
        return "utf-8"
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise TableError(f"encoding={encoding!r} is not a known text encoding") from None


def read_file_bytes(path: str | os.PathLike) -> bytes:
    """The whole content of `path`, decompressed when its name ends in `.gz` or `.zip`."""
    compression = compression_for_path(path)
    try:
        if compression == "gzip":
            with gzip.open(path, "rb") as file:
                return file.read()
        if compression == "zip":
            return _read_zip_member(path)
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise TableFileNotFoundError(str(path)) from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise TableFormatError(f"could not read {str(path)!r}: {error}") from error


def _read_zip_member(path: str | os.PathLike) -> bytes:
    with zipfile.ZipFile(path) as archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        if len(names) != 1:
            raise TableFormatError(
                f"zip archive {str(path)!r} holds {len(names)} files ({names!r}); "
                "expected exactly one"
            )
        return archive.read(names[0])


@contextlib.contextmanager
def open_binary_writer(
    path: str | os.PathLike,
    *,
    append: bool = False,
    csv_name: str | None = None,
    zip_mode: str = "w",
) -> Iterator[BinaryIO]:
    """A binary file to write `path` through: gzip- or zip-compressed by its name.

    For a zip archive the file is one member named `csv_name` (default: the archive's stem +
    '.csv'); `zip_mode='a'` adds it to an existing archive, replacing a member of that name.
    """
    compression = compression_for_path(path)
    if compression == "gzip":
        with gzip.open(path, "ab" if append else "wb") as file:
            yield file
    elif compression == "zip":
        if append:
            raise TableError(f"cannot append to the zip archive {str(path)!r}; write a new one")
        if not csv_name:
            csv_name = Path(path).name.rsplit(".", 1)[0] + ".csv"
        if zip_mode == "a" and Path(path).exists():
            with zipfile.ZipFile(path) as archive:
                present = csv_name in archive.namelist()
            if present:
                # zipfile cannot overwrite a member; rebuild the archive without it.
                _rewrite_zip_without(path, csv_name)
        with (
            zipfile.ZipFile(path, zip_mode, compression=zipfile.ZIP_DEFLATED) as archive,
            archive.open(csv_name, "w", force_zip64=True) as member,
        ):
            yield member
    else:
        with open(path, "ab" if append else "wb") as file:
            yield file


def _rewrite_zip_without(archive_path: str | os.PathLike, member_name: str) -> None:
    kept = {}
    with zipfile.ZipFile(archive_path) as archive:
        for info in archive.infolist():
            if info.filename != member_name:
                kept[info.filename] = archive.read(info)
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in kept.items():
            archive.writestr(name, content)
