"""Pages of in-person days, one module per audience (the studio's now; learners' and trainers' later)."""
