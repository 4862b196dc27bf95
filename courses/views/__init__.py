"""Pages of the courses app, one module per surface. Import from the submodule."""
