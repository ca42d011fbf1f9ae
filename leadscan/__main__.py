"""`python -m leadscan` and the PyInstaller entry point (leadscan.spec builds from this file).

`leadscan selfcheck [--json]` is answered here, before the CLI (and whatever it imports) is
loaded: it must still work in a bundle where something the app needs is broken.
"""

import sys

if sys.argv[1:2] == ["selfcheck"]:
    from leadscan.selfcheck import main as selfcheck_main

    raise SystemExit(selfcheck_main(sys.argv[2:]))

from leadscan.cli import main  # noqa: E402

raise SystemExit(main())
