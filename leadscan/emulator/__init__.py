"""A local, faithful implementation of the pretix exhibitors App API and REST API.

Stands alone: imports nothing from leadscan outside this package (stdlib, segno, Pillow).
Entry points: `dataset.init_dataset`, `server.EmulatorServer`, `badges.render_badge`,
`cli.main` (the `leadscan-emulator` command).
"""

from leadscan.emulator.dataset import init_dataset, list_attendees
from leadscan.emulator.server import EmulatorServer

__all__ = ["EmulatorServer", "init_dataset", "list_attendees"]
