import sys

from fastship.cli import main

sys.exit(main())
