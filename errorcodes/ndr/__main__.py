"""``python -m errorcodes.ndr decode ...``: the Django-free command line (see cli.py)."""

from .cli import console

if __name__ == "__main__":
    console()
