"""Reads of courses, one module per subject; dataclasses a read returns live beside it."""
