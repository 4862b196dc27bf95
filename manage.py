#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onetouch.settings.base")
    # A checkout with no SECRET_KEY is a development one: let its commands run in DEBUG. A deployment
    # always sets SECRET_KEY, so its commands keep DEBUG off; the web server (wsgi) never does this.
    if "SECRET_KEY" not in os.environ:
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
