"""Demo data of the learners' side: one demo account per role, and a crowd of demo learners.

`accounts.py` makes the demo logins. The crowd (hocvien-001@demo.onetouch.vn …) lives in several
provinces and communes and belongs to all four audience groups: `crowd_plan.py` draws who they are
and what they take, `crowd.py` creates them and takes their courses through the real services, so
their learning events are exactly those production writes, and `history.py` then moves their times
back over the last DEMO_DAYS days, so that the statistics dashboards have a history to show. Every
choice is drawn from one seeded random.Random: a load into an empty database always makes the same
crowd doing the same things (certificate codes and quiz draws, which the services draw themselves,
aside).
"""
