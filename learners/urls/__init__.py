"""The learner's side's addresses: one module per mount point (learning.py, certificates.py)."""
