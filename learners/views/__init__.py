"""Pages of the learners app, one module per surface. Import from the submodule."""
