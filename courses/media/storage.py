"""Lesson files in storage: copying them in and out around processing, and deleting them.

Everything goes through django's default_storage (a local folder, or an S3-compatible bucket with
django-storages), in chunks, and nothing assumes storage is a local disk: a "folder" is a prefix,
listed and deleted file by file. A failed delete is logged and never raised, because it runs after
the commit that made the files unused, when there is nobody left to tell.
"""

import logging
import shutil
from collections.abc import Iterable
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

from courses.media.types import content_type_for_suffix

logger = logging.getLogger(__name__)

COPY_CHUNK = 1024 * 1024


def storage_copy_to_local(name: str, target: Path) -> Path:
    """Copy a stored file to a local path in chunks (storage may be an object store)."""
    with default_storage.open(name, "rb") as stored, target.open("wb") as local:
        shutil.copyfileobj(stored, local, COPY_CHUNK)
    return target


def storage_tree_put(directory: Path, prefix: str) -> list[str]:
    """Store every file under a local directory at prefix + its relative path; return the stored names."""
    written = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        wanted = prefix + path.relative_to(directory).as_posix()
        with path.open("rb") as local:
            content = File(local, name=path.name)
            # An object store serves each file with this type, from the one table of types.
            content.content_type = content_type_for_suffix(path.suffix, derived_only=True)
            stored = default_storage.save(wanted, content)
        written.append(stored)
        if stored != wanted:
            # Playlists name their neighbours by relative path: a renamed file would break them.
            raise RuntimeError(f"Storage saved {wanted} as {stored}")
    return written


def storage_names_delete(*, names: Iterable[str] = (), prefix: str = "") -> None:
    """Delete stored files and everything under a prefix ("lessons/3/7/"); a failure is logged, never raised."""
    try:
        for name in names:
            if name:
                default_storage.delete(name)
        if prefix:
            storage_prefix_delete(prefix=prefix)
    except Exception:
        logger.exception("Could not delete stored lesson files under %s", prefix or names)


def storage_prefix_delete(*, prefix: str) -> None:
    """Delete every stored file under a prefix, folder by folder (an object store has no folders to remove)."""
    try:
        directories, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{prefix}{name}")
    for directory in directories:
        storage_prefix_delete(prefix=f"{prefix}{directory}/")
