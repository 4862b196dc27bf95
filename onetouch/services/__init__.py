"""Writes of the shared core, one module per subject: `admin_units` and `staff_accounts`."""
