"""Local store: one SQLite file holding the leads, the outbox and a few settings.

`LeadStore` is the only class callers need; `db.open_database` does the file handling
(pragmas, integrity check, migrations, recovery of a damaged file).
"""

from .db import RecoveryReport
from .leads import Claim, LeadStore, Outcome, RemoteMergeResult

__all__ = ["Claim", "LeadStore", "Outcome", "RecoveryReport", "RemoteMergeResult"]
