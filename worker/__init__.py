"""The worker process: `python -m worker` or `fastship worker`."""

import sys

# The workflow sandbox imports the workflow modules afresh for every workflow it starts. Where the
# environment disables bytecode files (PYTHONDONTWRITEBYTECODE), each of those imports would compile
# the source again: the worker writes them, so every later import reads them.
sys.dont_write_bytecode = False
