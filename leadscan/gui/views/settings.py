"""Settings screen: device name, camera + resolution, scanner calibration, sounds, kiosk
(PIN, idle timeout, visitors see leads), data folder, portable mode. Layout + validation;
the shell applies a saved result (camera restart, sounds, scanner mapping)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leadscan.core.booth import MAX_WIPE_DAYS
from leadscan.gui.pin import hash_pin, valid_new_pin
from leadscan.gui.settings import RESOLUTIONS, Settings

MAX_DEVICE_NAME = 190


class SettingsView(QWidget):
    saved = Signal(object, str)  # Settings, device name
    calibrate_requested = Signal()
    cancelled = Signal()
    logout_requested = Signal()
    wipe_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings")
        self.settings = Settings()
        self.data_dir: Path | None = None

        self.device = QLineEdit()
        self.device.setMaxLength(MAX_DEVICE_NAME)
        self.device.setToolTip("Sent with every lead (at most 190 characters).")

        self.camera = QComboBox()
        self.camera.setEditable(True)  # a camera name or a video file path also work
        self.camera.setToolTip("Camera index or name, a video file, or 'none'.")
        self.resolution = QComboBox()
        for r in RESOLUTIONS:
            self.resolution.addItem(r or "Camera default", r)
        self.sounds = QCheckBox("Beep on every scan")
        self.prefix = QLineEdit()
        self.prefix.setMaxLength(16)
        self.prefix.setPlaceholderText("none")
        self.prefix.setToolTip("Only if the USB scanner is set to send characters before each "
                               "code: they are removed from the code.")
        self.repeat = QSpinBox()
        self.repeat.setRange(1, 120)
        self.repeat.setSuffix(" s")
        self.repeat.setToolTip("A badge held in front of the camera counts once; shown again "
                               "after this long it opens the same lead as 'already scanned'.")

        self.calibration = QLabel("")
        self.calibration.setObjectName("hint")
        self.calibrate = QPushButton("Calibrate USB scanner…")
        self.calibrate.clicked.connect(self.calibrate_requested)
        self.clear_calibration = QPushButton("Reset")
        self.clear_calibration.clicked.connect(self._reset_mapping)
        cal_row = QHBoxLayout()
        cal_row.addWidget(self.calibrate)
        cal_row.addWidget(self.clear_calibration)
        cal_row.addWidget(self.calibration, 1)

        self.kiosk = QCheckBox("Start in kiosk mode (full screen, exit with PIN)")
        self.pin1 = QLineEdit()
        self.pin2 = QLineEdit()
        for f, ph in ((self.pin1, "new PIN (digits)"), (self.pin2, "repeat new PIN")):
            f.setEchoMode(QLineEdit.EchoMode.Password)
            f.setPlaceholderText(ph)
            f.setMaxLength(12)
        pin_row = QHBoxLayout()
        pin_row.addWidget(self.pin1)
        pin_row.addWidget(self.pin2)
        self.pin_state = QLabel("")
        self.pin_state.setObjectName("hint")
        self.idle = QSpinBox()
        self.idle.setRange(10, 3600)
        self.idle.setSuffix(" s")
        self.visitors_leads = QCheckBox("Visitors may see the list of leads in kiosk mode")

        self.data_folder = QLabel("")
        self.data_folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_folder.setWordWrap(True)
        self.open_folder = QPushButton("Open folder")
        self.open_folder.clicked.connect(self._open_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.data_folder, 1)
        folder_row.addWidget(self.open_folder)
        self.portable = QCheckBox("Portable mode: keep data next to the program (after restart)")
        self.auto_wipe = QCheckBox("Delete the leads from this computer automatically")
        self.auto_wipe_days = QSpinBox()
        self.auto_wipe_days.setRange(0, MAX_WIPE_DAYS)
        self.auto_wipe_days.setValue(14)
        self.auto_wipe_days.setSuffix(" days after the event ends")
        self.auto_wipe_days.setToolTip("Leads the server does not have yet are never deleted "
                                       "automatically.")
        self.auto_wipe.toggled.connect(self.auto_wipe_days.setEnabled)
        self.auto_wipe_days.setEnabled(False)
        auto_wipe_row = QHBoxLayout()
        auto_wipe_row.addWidget(self.auto_wipe)
        auto_wipe_row.addWidget(self.auto_wipe_days)
        auto_wipe_row.addStretch(1)
        self.wipe = QPushButton("Delete all leads from this computer…")
        self.wipe.setToolTip("After the show. Leads the server does not have yet are offered "
                             "for upload or export first.")
        self.wipe.clicked.connect(self.wipe_requested)

        self.account = QLabel("")
        self.account.setWordWrap(True)
        self.logout = QPushButton("Log out…")
        self.logout.clicked.connect(self.logout_requested)
        account_row = QHBoxLayout()
        account_row.addWidget(self.account, 1)
        account_row.addWidget(self.logout)

        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancelled)

        def group(title: str, rows: list[tuple[str, Any]]) -> QGroupBox:
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setVerticalSpacing(10)
            for label, w in rows:
                if label:
                    form.addRow(label, w)
                elif isinstance(w, QWidget):
                    form.addRow(w)
                else:
                    form.addRow(w)
            return box

        body = QWidget()
        bl = QVBoxLayout(body)
        bl.addWidget(group("This device", [("Device name", self.device), ("Account", account_row)]))
        bl.addWidget(group("Scanning", [("Camera", self.camera), ("Resolution", self.resolution),
                                        ("Same badge again after", self.repeat),
                                        ("USB scanner", cal_row), ("Scanner prefix", self.prefix),
                                        ("", self.sounds)]))
        bl.addWidget(group("Kiosk", [("", self.kiosk), ("Exit PIN", pin_row), ("", self.pin_state),
                                     ("Idle timeout", self.idle), ("", self.visitors_leads)]))
        bl.addWidget(group("Data", [("Data folder", folder_row), ("", self.portable),
                                    ("After the show", auto_wipe_row), ("", self.wipe)]))
        bl.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.addWidget(scroll, 1)
        lay.addLayout(buttons)

    # -- content ------------------------------------------------------------------------

    def load(self, settings: Settings, *, device_name: str, data_dir: Path, portable: bool,
             cameras: list[Any] | None = None, account: str = "",
             auto_wipe_days: int | None = None) -> None:
        self.account.setText(account)
        self.auto_wipe.setChecked(auto_wipe_days is not None)
        if auto_wipe_days is not None:
            self.auto_wipe_days.setValue(auto_wipe_days)
        self.settings = replace(settings, scanner_mapping=dict(settings.scanner_mapping))
        self.data_dir = data_dir
        self.device.setText(device_name)
        self.set_cameras(cameras or [])
        i = self.resolution.findData(settings.resolution)
        self.resolution.setCurrentIndex(max(0, i))
        self.sounds.setChecked(settings.sounds)
        self.prefix.setText(settings.scanner_prefix)
        self.repeat.setValue(int(settings.repeat_window_s))
        self.kiosk.setChecked(settings.kiosk)
        self.pin1.clear()
        self.pin2.clear()
        self.pin_state.setText("An exit PIN is set; leave empty to keep it." if settings.kiosk_pin
                               else "No exit PIN yet: it is asked for when kiosk mode starts.")
        self.idle.setValue(int(settings.idle_timeout_s))
        self.visitors_leads.setChecked(settings.visitors_see_leads)
        self.data_folder.setText(str(data_dir))
        self.portable.setChecked(portable)
        self._show_mapping()
        self.error.hide()

    def set_cameras(self, cameras: list[Any]) -> None:
        current = self.settings.camera
        self.camera.clear()
        self.camera.addItem("No camera (USB scanner and typing only)", "none")
        for cam in cameras:
            self.camera.addItem(f"{cam.index}: {cam.name}", str(cam.index))
        i = self.camera.findData(current)
        if i < 0:
            self.camera.addItem(current, current)
            i = self.camera.count() - 1
        self.camera.setCurrentIndex(i)

    def set_mapping(self, mapping: dict[str, str]) -> None:
        self.settings.scanner_mapping = dict(mapping)
        self._show_mapping()

    def _reset_mapping(self) -> None:
        self.set_mapping({})

    def _show_mapping(self) -> None:
        m = self.settings.scanner_mapping
        self.calibration.setText(f"Layout correction active ({len(m)} keys)." if m
                                 else "Scanner and keyboard layouts match (no correction).")

    def _open_folder(self) -> None:
        if self.data_dir is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir)))

    def auto_wipe_value(self) -> int | None:
        """Days after the event's end for the automatic wipe, None when off."""
        return int(self.auto_wipe_days.value()) if self.auto_wipe.isChecked() else None

    def camera_value(self) -> str:
        text = self.camera.currentText()
        data = self.camera.currentData()
        if data is not None and self.camera.itemText(self.camera.currentIndex()) == text:
            return str(data)
        return text.strip() or "none"

    # -- save -------------------------------------------------------------------------------

    def submit(self) -> None:
        name = self.device.text().strip()
        if not name:
            return self._fail("The device name cannot be empty.")
        s = replace(self.settings)
        p1, p2 = self.pin1.text(), self.pin2.text()
        if p1 or p2:
            if p1 != p2:
                return self._fail("The two PINs differ.")
            problem = valid_new_pin(p1)
            if problem:
                return self._fail(problem)
            s.kiosk_pin = hash_pin(p1)
        s.camera = self.camera_value()
        s.resolution = str(self.resolution.currentData() or "")
        s.sounds = self.sounds.isChecked()
        s.scanner_prefix = self.prefix.text()
        s.repeat_window_s = int(self.repeat.value())
        s.kiosk = self.kiosk.isChecked()
        s.idle_timeout_s = int(self.idle.value())
        s.visitors_see_leads = self.visitors_leads.isChecked()
        self.pin1.clear()
        self.pin2.clear()
        self.error.hide()
        self.settings = s
        self.saved.emit(s, name)

    def _fail(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
