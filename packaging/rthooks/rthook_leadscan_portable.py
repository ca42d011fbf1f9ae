"""PyInstaller runtime hook: portable mode for booth laptops that are wiped after a show.

When a file named `portable.txt` sits next to the executable (on macOS: next to
LeadScan.app), leadscan keeps everything (database, settings, logs) in a `data` folder next
to it, so the whole folder can be copied to a USB stick and taken home. It works by setting
LEADSCAN_DATA_DIR, which leadscan/paths.py reads, unless LEADSCAN_DATA_DIR is already set
(an explicit `--data-dir` still wins over both). LEADSCAN_PORTABLE is set to the marker's
path so the GUI can show that portable mode is on.

If `portable.txt` holds a line that is not a comment (not starting with '#'), that line names
the data folder instead (relative paths are taken from the marker's folder).
"""


def _pyi_rthook():
    import os
    import sys

    MARKER = "portable.txt"
    exe_dir = os.path.dirname(os.path.abspath(sys.executable))
    candidates = [exe_dir]
    # macOS .app: the executable is LeadScan.app/Contents/MacOS/leadscan
    parts = exe_dir.replace("\\", "/").split("/")
    if len(parts) >= 3 and parts[-1] == "MacOS" and parts[-2] == "Contents" and parts[-3].endswith(".app"):
        candidates.append(os.path.dirname(os.path.dirname(os.path.dirname(exe_dir))))
    for folder in candidates:
        marker = os.path.join(folder, MARKER)
        if not os.path.isfile(marker):
            continue
        data = os.path.join(folder, "data")
        try:
            with open(marker, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    line = line.strip()
                    if line and not line.startswith("#"):
                        data = os.path.join(folder, os.path.expanduser(line))
                        break
        except OSError:
            pass
        os.environ["LEADSCAN_PORTABLE"] = marker
        if not os.environ.get("LEADSCAN_DATA_DIR"):
            os.environ["LEADSCAN_DATA_DIR"] = os.path.normpath(data)
        return


_pyi_rthook()
del _pyi_rthook
