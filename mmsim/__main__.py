import sys

from mmsim.cli import main

sys.exit(main())
