"""Fixtures shared by the learners' tests."""

from importlib import import_module

import pytest
from django.conf import settings


@pytest.fixture
def session_key(db) -> str:
    """The key of a real open session, as signing in makes one."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.create()
    return session.session_key
