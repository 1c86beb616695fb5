import sys

from kcapture.cli import main

sys.exit(main())
