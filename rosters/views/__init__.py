"""Pages of rosters: the studio's roster imports (views/studio.py)."""
