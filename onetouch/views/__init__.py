"""Pages of the shared core, one module per subject: `health` (/healthz)."""
