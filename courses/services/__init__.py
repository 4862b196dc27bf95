"""Writes of the courses app, one module per sub-domain. Import from the submodule."""
