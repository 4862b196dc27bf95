"""Pure helpers of the learner's side: no ORM, no request (docs/decisions/0015)."""
