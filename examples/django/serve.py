#!/usr/bin/env python
"""Start one instance of the example: a fresh SQLite database in a temporary folder,
`migrate`, then Django's development server on 127.0.0.1:PORT (no reloader).
The folder is removed when the server stops (SIGTERM or Ctrl-C)."""
import os
import signal
import sys
import tempfile


def main():
    port = sys.argv[1] if len(sys.argv) > 1 else "8000"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_example.settings")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with tempfile.TemporaryDirectory(prefix="stickler-django-") as tmp:
        os.environ["DJANGO_DB_PATH"] = os.path.join(tmp, "db.sqlite3")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)


if __name__ == "__main__":
    main()
