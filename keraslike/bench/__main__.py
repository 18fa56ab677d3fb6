"""Entry point of ``python -m keraslike.bench`` (see the package docstring)."""
import sys

from . import main

sys.exit(main())
