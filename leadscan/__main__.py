"""`python -m leadscan` and the PyInstaller entry point (leadscan.spec builds from this file)."""

from leadscan.cli import main

raise SystemExit(main())
