"""Pure helpers of courses: no ORM, no request (docs/decisions/0015)."""
