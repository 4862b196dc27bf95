"""Reads of in-person days, one module per subject. Import from the submodule."""
