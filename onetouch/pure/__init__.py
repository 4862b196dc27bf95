"""Helpers of the shared core with no ORM and no request: `phones` (Vietnamese mobile numbers)."""
