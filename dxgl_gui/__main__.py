"""`python -m dxgl_gui [MODEL]`: the same as `dxgl gui [MODEL]`."""
import sys

from .cli import main

if __name__ == "__main__":  # spawned export workers import this module as __mp_main__
    sys.exit(main())
