"""How passwords are stored: Argon2id at OWASP's first recommended setting (docs/decisions/0032).

Django's PBKDF2 (1,000,000 SHA-256 rounds in Django 5.2) cost a sign-in 226–660 ms of one core on
the 2-core machine, and a campaign's sign-ins took 30 of the web workers' 73 CPU-seconds. Argon2id
with 19 MiB of memory, two passes and one lane is OWASP's equivalent of PBKDF2 at 600,000 rounds,
costs a tenth of the time, and is harder on the graphics cards an attacker would use, because each
guess needs the memory too. One lane: a sign-in takes one core, so other requests keep the other.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (Argon2id) with OWASP's 19 MiB, t=2, p=1 instead of Django's 100 MiB, t=2, p=8.

    The parameters are written in each hash, so any Argon2 hash verifies; one made with other
    parameters is made again at the owner's next sign-in (Django's must_update).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
