"""PyInstaller runtime hook: make pyzbar load the libzbar that leadscan.spec bundled.

pyzbar finds libzbar with `ctypes.util.find_library("zbar")`, which in a frozen app on Linux
looks only at the system (ldconfig cache): on a laptop without the zbar package it finds
nothing, although the library sits in the bundle. This hook answers "zbar" with the bundled
file and leaves every other name to the original function. (Windows is handled by the spec:
the pyzbar wheel's DLLs are kept in `pyzbar/`, where pyzbar itself looks.)

To keep start-up fast nothing is imported here: the patch is applied the moment
`pyzbar.zbar_library` is first imported (a one-shot import hook). If the bundled file is
missing, the system library is used; if there is none either, pyzbar raises ImportError as
usual and leadscan falls back to its other decoders (see leadscan/selfcheck.py, K50).
"""


def _pyi_rthook():
    import os
    import sys

    base = getattr(sys, "_MEIPASS", None)
    if not base:
        return
    names = ("libzbar.so.0", "libzbar.so", "libzbar.0.dylib", "libzbar.dylib",
             "libzbar-64.dll", "libzbar-32.dll")

    def bundled_zbar():
        for name in names:
            path = os.path.join(base, name)
            if os.path.isfile(path):
                return path
        try:
            for entry in sorted(os.listdir(base)):
                if entry.startswith("libzbar") and (".so" in entry or entry.endswith(".dylib")):
                    return os.path.join(base, entry)
        except OSError:
            pass
        return None

    def patch(module):
        original = getattr(module, "find_library", None)
        if original is None or getattr(original, "_leadscan_patched", False):
            return

        def find_library(name):
            if name == "zbar":
                path = bundled_zbar()
                if path:
                    return path
            return original(name)

        find_library._leadscan_patched = True
        module.find_library = find_library

    class _PatchingLoader:
        def __init__(self, inner):
            self._inner = inner

        def create_module(self, spec):
            return self._inner.create_module(spec)

        def exec_module(self, module):
            self._inner.exec_module(module)
            patch(module)

        def __getattr__(self, name):  # get_code, get_source, is_package, ...
            return getattr(self._inner, name)

    class ZbarLibraryFinder:
        """Finds nothing itself; wraps the loader of `pyzbar.zbar_library` once."""

        @staticmethod
        def find_spec(fullname, path=None, target=None):
            if fullname != "pyzbar.zbar_library":
                return None
            for finder in sys.meta_path:
                if finder is ZbarLibraryFinder or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    if spec.loader is not None:
                        spec.loader = _PatchingLoader(spec.loader)
                    return spec
            return None

    sys.meta_path.insert(0, ZbarLibraryFinder)


_pyi_rthook()
del _pyi_rthook
