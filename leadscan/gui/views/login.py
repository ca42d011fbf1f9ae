"""Login: server URL + access code (+ device name), checked against the profile in a worker."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leadscan.core import advice
from leadscan.gui.tasks import Lane, TaskManager

DEFAULT_SERVER = "https://pretix.eu"
MAX_DEVICE_NAME = 190


class LoginView(QWidget):
    """The login form. Emits `logged_in(Profile)` once the server accepted the code."""

    logged_in = Signal(object)

    def __init__(
        self,
        booth: Any,
        tasks: TaskManager,
        parent: QWidget | None = None,
        *,
        reason: str | None = None,
        title: str = "Log in to your exhibitor account",
    ) -> None:
        super().__init__(parent)
        self.booth = booth
        self.tasks = tasks
        self.setObjectName("login")

        heading = QLabel(title)
        heading.setObjectName("title")
        heading.setWordWrap(True)
        intro = QLabel(
            reason
            or "Enter the server address and the access code the event organizer sent you. "
            "Scans are saved on this computer and upload whenever the network allows."
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)

        self.server = QLineEdit(booth.server_url or DEFAULT_SERVER)
        self.server.setPlaceholderText(DEFAULT_SERVER)
        self.server.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.code = QLineEdit()
        self.code.setPlaceholderText("e.g. ABCDE123")
        self.code.setEchoMode(QLineEdit.EchoMode.Password)
        self.code.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.show_code = QCheckBox("Show")
        self.show_code.toggled.connect(
            lambda on: self.code.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        code_row = QHBoxLayout()
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.show_code)
        self.device = QLineEdit(getattr(booth, "device_name", "") or "")
        self.device.setMaxLength(MAX_DEVICE_NAME)

        form = QFormLayout()
        form.setVerticalSpacing(12)
        form.addRow("Server", self.server)
        form.addRow("Access code", code_row)
        form.addRow("Device name", self.device)

        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.notice = QLabel()  # calm news (logged out, wiped); errors go to `error`
        self.notice.setObjectName("hint")
        self.notice.setWordWrap(True)
        self.notice.hide()

        self.button = QPushButton("Log in")
        self.button.setObjectName("primary")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        for edit in (self.server, self.code, self.device):
            edit.returnPressed.connect(self.submit)

        box = QWidget()
        box.setMaximumWidth(720)
        inner = QVBoxLayout(box)
        inner.setSpacing(16)
        inner.addWidget(heading)
        inner.addWidget(intro)
        inner.addLayout(form)
        inner.addWidget(self.notice)
        inner.addWidget(self.error)
        inner.addWidget(self.button)

        outer = QHBoxLayout(self)
        outer.addStretch(1)
        col = QVBoxLayout()
        col.addStretch(1)
        col.addWidget(box)
        col.addStretch(2)
        outer.addLayout(col, 4)
        outer.addStretch(1)

    # -- actions ------------------------------------------------------------------------

    def submit(self) -> None:
        if not self.button.isEnabled():
            return
        server = self.server.text().strip()
        code = self.code.text().strip()
        device = self.device.text().strip() or None
        if not server:
            self.show_error("Enter the server address, e.g. " + DEFAULT_SERVER)
            self.server.setFocus()
            return
        if not code:
            self.show_error("Enter the access code the organizer sent you.")
            self.code.setFocus()
            return
        if "://" not in server:
            server = "https://" + server
            self.server.setText(server)
        self.error.hide()
        self.notice.hide()
        self.set_busy(True)
        booth = self.booth
        self.tasks.run(
            lambda: booth.login(server, code, device),
            on_done=self._done,
            on_error=self._failed,
            lane=Lane.NET,
            owner=self,
            label="login",
        )

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        self.button.setText("Checking…" if busy else "Log in")
        for w in (self.server, self.code, self.device):
            w.setReadOnly(busy)

    def show_error(self, text: str) -> None:
        self.notice.hide()
        self.error.setText(text)
        self.error.show()

    def show_notice(self, text: str) -> None:
        self.error.hide()
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _done(self, profile: Any) -> None:
        self.set_busy(False)
        self.code.clear()
        self.logged_in.emit(profile)

    def _failed(self, err: BaseException) -> None:
        self.set_busy(False)
        self.show_error(advice.describe(err))
        self.code.setFocus()
        self.code.selectAll()


class LoginDialog(QDialog):
    """The same form in a window: asked for when the server stops accepting the code (401).

    Not modal for the rest of the app: scanning goes on (saved offline) while it is open.
    """

    def __init__(self, booth: Any, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New access code needed")
        self.setModal(False)
        self.view = LoginView(
            booth,
            tasks,
            self,
            title="Enter the new access code",
            reason="The server no longer accepts this device's access code (it may have been "
            "changed by the organizer). Scanning continues and every scan is kept; enter the "
            "new code to upload them.",
        )
        self.view.logged_in.connect(lambda _p: self.accept())
        lay = QVBoxLayout(self)
        lay.addWidget(self.view)
        self.resize(760, 560)
        self.view.code.setFocus()
