"""Fixtures shared by the course tests that store files."""

from pathlib import Path

import pytest


@pytest.fixture
def storage_root(settings, tmp_path) -> Path:
    """Files go to this test's own folder on local disk, also those the worker thread stores."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def files(tmp_path) -> Path:
    """A folder for the files a test uploads."""
    folder = tmp_path / "files"
    folder.mkdir()
    return folder
