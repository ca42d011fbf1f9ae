"""leadscan: offline-first lead scanning for exhibitors (pretix exhibitors App API)."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("leadscan")
except _metadata.PackageNotFoundError:  # frozen bundle without dist-info, or source tree
    __version__ = "0.1.0"
