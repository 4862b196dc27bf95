"""Demo data of in-person days, built through the services."""
