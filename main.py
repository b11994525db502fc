"""Leadline launcher: ``python main.py`` opens the app, ``python main.py --help`` lists commands."""

import sys

from app.bootstrap import main

if __name__ == "__main__":
    sys.exit(main())
