"""`python -m scorehost`: the `scorehost` command."""

from scorehost.app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
