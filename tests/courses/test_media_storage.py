"""The one storage delete: named files and everything under a prefix go; a failure is logged, never raised."""

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from courses.media import storage
from courses.media.storage import storage_names_delete


def test_names_and_every_file_under_the_prefix_are_deleted_and_nothing_else(storage_root):
    """A lesson's folder is emptied at every depth; the named file goes; a neighbour lesson's files stay."""
    kept = default_storage.save("lessons/1/3/source/other.mp4", ContentFile(b"other"))
    source = default_storage.save("lessons/1/2/source/phim.mp4", ContentFile(b"film"))
    deep = [
        default_storage.save(f"lessons/1/2/media-a/{name}", ContentFile(b"x"))
        for name in ("poster.jpg", "hls/master.m3u8", "hls/360p/segment_0000.ts", "pages/001.jpg")
    ]
    loose = default_storage.save("covers/anh.png", ContentFile(b"png"))

    storage_names_delete(names=[loose, ""], prefix="lessons/1/2/")

    assert not any(default_storage.exists(name) for name in (source, loose, *deep))
    assert default_storage.exists(kept)


def test_a_missing_prefix_is_nothing_to_delete(storage_root):
    storage_names_delete(prefix="lessons/9/9/")
    storage_names_delete(names=["lessons/9/9/source/gone.pdf"])


def test_a_storage_failure_is_logged_not_raised(monkeypatch, caplog):
    """Deletes run after the commit that made the files unused: a failure must not reach the author."""

    class Unreachable:
        def delete(self, name):
            raise OSError("bucket unreachable")

    monkeypatch.setattr(storage, "default_storage", Unreachable())
    with caplog.at_level(logging.ERROR, logger="courses.media.storage"):
        storage_names_delete(names=["lessons/1/2/source/phim.mp4"], prefix="lessons/1/2/")
    assert "Could not delete stored lesson files" in caplog.text
