"""Rules of in-person days over plain values: no ORM, no request."""
