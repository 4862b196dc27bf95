"""Reads of the learners app, one module per sub-domain. Import from the submodule."""
