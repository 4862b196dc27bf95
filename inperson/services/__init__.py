"""Writes of in-person days, one module per subject (days, seats, trainers). Import from the submodule."""
