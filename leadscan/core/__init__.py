"""Qt-free core of leadscan: App API client, local store, sync engine, scanning logic.

Nothing under this package may import PySide6 (tests/test_architecture.py checks it).
"""
