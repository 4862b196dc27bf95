"""Benchmarks of the platform, run by hand; see bench/README.md. Not imported by the apps."""
