# The statistics tables arrive with the statistics pipeline; this app reads the event log in
# learners and writes only its own tables.
