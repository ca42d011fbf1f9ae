"""PyInstaller runtime hook: programs leadscan starts must not inherit the bundle's libraries.

On Linux the bootloader starts the app with LD_LIBRARY_PATH=<bundle>/_internal (the original
value, if any, is kept in LD_LIBRARY_PATH_ORIG). Every child process inherits it: a browser
opened for the organizer's imprint/privacy links (xdg-open via Qt) would then load the
bundle's libstdc++, GLib or OpenSSL instead of the system's and may crash. The app itself is
not affected by resetting the variable now: the dynamic loader read it once at start.
"""


def _pyi_rthook():
    import os
    import sys

    if not sys.platform.startswith("linux"):
        return
    base = getattr(sys, "_MEIPASS", None)
    current = os.environ.get("LD_LIBRARY_PATH")
    if not base or current is None:
        return
    if base not in current.split(os.pathsep):
        return  # not set by the bootloader: leave it alone
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original:
        os.environ["LD_LIBRARY_PATH"] = original
    else:
        del os.environ["LD_LIBRARY_PATH"]


_pyi_rthook()
del _pyi_rthook
