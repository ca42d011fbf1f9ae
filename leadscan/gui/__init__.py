"""The Qt shell (the only package importing PySide6). Entry point: `leadscan.gui.app.main`."""
