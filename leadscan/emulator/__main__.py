import sys

from leadscan.emulator.cli import main

sys.exit(main())
