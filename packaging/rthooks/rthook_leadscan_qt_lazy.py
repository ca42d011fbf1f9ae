"""PyInstaller runtime hook: PyInstaller's PySide6 set-up, without importing Qt at start.

PyInstaller's own `pyi_rth_pyside6` imports PySide6.QtCore in every start of the bundle
(to register an embedded qt.conf), which loads Qt and ICU (~0.3-0.4 s) even for
`leadscan --version`, `decode` or `status`, which never touch Qt. leadscan.spec replaces it
with this hook: the same environment set-up now (cheap), and the qt.conf step the moment
`PySide6.QtCore` is first imported (a one-shot import hook). For the GUI nothing changes;
headless commands start without Qt.
"""


def _pyi_rthook():
    import os
    import sys

    from _pyi_rth_utils import is_macos_app_bundle, prepend_path_to_environment_variable
    from _pyi_rth_utils import qt as qt_rth_utils

    qt_rth_utils.ensure_single_qt_bindings_package("PySide6")

    if sys.platform.startswith("win"):
        pyqt_path = os.path.join(sys._MEIPASS, "PySide6")
    else:
        pyqt_path = os.path.join(sys._MEIPASS, "PySide6", "Qt")

    os.environ["QT_PLUGIN_PATH"] = os.path.join(pyqt_path, "plugins")
    if is_macos_app_bundle:
        pyqt_path_res = os.path.normpath(
            os.path.join(sys._MEIPASS, "..", "Resources", os.path.relpath(pyqt_path, sys._MEIPASS)))
        os.environ["QML2_IMPORT_PATH"] = os.pathsep.join(
            [os.path.join(pyqt_path_res, "qml"), os.path.join(pyqt_path, "qml")])
    else:
        os.environ["QML2_IMPORT_PATH"] = os.path.join(pyqt_path, "qml")
    if sys.platform.startswith("win"):
        prepend_path_to_environment_variable(sys._MEIPASS, "PATH")
    if sys.platform == "darwin" and not is_macos_app_bundle:
        prepend_path_to_environment_variable(sys._MEIPASS, "DYLD_LIBRARY_PATH")

    class _AfterQtCore:
        def __init__(self, inner):
            self._inner = inner

        def create_module(self, spec):
            return self._inner.create_module(spec)

        def exec_module(self, module):
            self._inner.exec_module(module)
            try:
                qt_rth_utils.create_embedded_qt_conf("PySide6", pyqt_path)
            finally:
                if QtCoreFinder in sys.meta_path:
                    sys.meta_path.remove(QtCoreFinder)

        def __getattr__(self, name):
            return getattr(self._inner, name)

    class QtCoreFinder:
        @staticmethod
        def find_spec(fullname, path=None, target=None):
            if fullname != "PySide6.QtCore":
                return None
            for finder in sys.meta_path:
                if finder is QtCoreFinder or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    if spec.loader is not None:
                        spec.loader = _AfterQtCore(spec.loader)
                    return spec
            return None

    sys.meta_path.insert(0, QtCoreFinder)


_pyi_rthook()
del _pyi_rthook
