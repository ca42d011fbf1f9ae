"""PyInstaller runtime hook: portable mode for booth laptops that are wiped after a show.

The convention is the GUI's (leadscan/gui/portable.py, switched on in Settings): a marker
file `leadscan-portable` next to the executable means everything (database, settings, logs)
lives in a `leadscan-data` folder beside it. This hook applies it before any leadscan code
runs, by setting LEADSCAN_DATA_DIR (which leadscan/paths.py reads) unless it is already set,
so the headless commands (`leadscan selfcheck`, `status`, `export`) use the same folder as the
GUI. An explicit `--data-dir` still wins. LEADSCAN_PORTABLE is set to the marker's path.

On macOS the marker may also sit next to LeadScan.app (writing inside the signed .app is not
possible), and the data folder is then created there.
"""


def _pyi_rthook():
    import os
    import sys

    MARKER = "leadscan-portable"  # = leadscan.gui.portable.MARKER
    DATA = "leadscan-data"        # = leadscan.gui.portable.DATA
    exe_dir = os.path.dirname(os.path.abspath(sys.executable))
    candidates = [exe_dir]
    parts = exe_dir.replace("\\", "/").split("/")
    if len(parts) >= 3 and parts[-1] == "MacOS" and parts[-2] == "Contents" and parts[-3].endswith(".app"):
        candidates.append(os.path.dirname(os.path.dirname(os.path.dirname(exe_dir))))
    for folder in candidates:
        marker = os.path.join(folder, MARKER)
        if os.path.isfile(marker):
            os.environ["LEADSCAN_PORTABLE"] = marker
            if not os.environ.get("LEADSCAN_DATA_DIR"):
                os.environ["LEADSCAN_DATA_DIR"] = os.path.join(folder, DATA)
            return


_pyi_rthook()
del _pyi_rthook
