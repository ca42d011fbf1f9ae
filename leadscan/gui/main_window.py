"""The main window: navigation between login, scan and leads, and the glue between inputs,
the booth (on the DB lane), the sync controller and the views.

Nothing here blocks: every Booth call goes through `TaskManager`; results come back as
callbacks on the UI thread.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from leadscan.core.booth import PendingLeadsError
from leadscan.core.errors import LeadscanError
from leadscan.core.models import Lead, Profile, ScanSource, SyncState
from leadscan.core import advice
from leadscan.gui import safeguard
from leadscan.gui.status_line import StatusLine
from leadscan.gui.sync_worker import SyncController
from leadscan.gui.tasks import Lane, TaskManager
from leadscan.gui.views.lead_card import Outcome
from leadscan.gui.views.leads import LeadsView
from leadscan.gui.views.login import LoginDialog, LoginView
from leadscan.gui.views.scan import ScanView
from leadscan.gui.views.settings import SettingsView
from leadscan.gui.widgets import ElidedLabel

log = logging.getLogger("leadscan.gui.window")

LINKS = (("imprint", "Imprint"), ("privacy", "Privacy"), ("help", "Help"), ("terms", "Terms"))


class MainWindow(QMainWindow):
    scan_saved = Signal(object, float)  # ScanResult, seconds from input to saved
    lead_shown = Signal(object)
    page_changed = Signal(object)
    settings_requested = Signal()
    logo_url_changed = Signal(str)

    def __init__(self, booth: Any, tasks: TaskManager, *, sync: SyncController | None = None) -> None:
        super().__init__()
        self.booth = booth
        self.tasks = tasks
        self.setWindowTitle("leadscan")
        self.resize(1280, 800)
        self.profile: Profile | None = getattr(booth, "profile", None)
        self.sync = sync or SyncController(booth, tasks, self)
        self.online = False
        self.scan_times: list[float] = []  # input -> durably saved (seconds)
        self.shown_times: list[float] = []  # input -> saved and on screen
        self.feedback: Any = None  # gui.input.feedback when available
        self.login_dialog: LoginDialog | None = None
        # kiosk mode: a staff check (PIN) before the access-code dialog opens; it calls its
        # argument once the PIN was right
        self.login_gate: Any = None
        self._link_urls: dict[str, str | None] = {}
        self._logo_url: str | None = None
        self._closing = False

        # pages
        self.login_view = LoginView(booth, tasks)
        self.scan_view = ScanView()
        self.leads_view = LeadsView()
        self.settings_view = SettingsView()
        self.pages = QStackedWidget()
        for page in (self.login_view, self.scan_view, self.leads_view, self.settings_view):
            self.pages.addWidget(page)

        # header / navigation
        self.header = QFrame()
        self.header.setObjectName("header")
        self.header.setStyleSheet("QFrame#header { background: #003366; } "
                                  "QFrame#header QLabel { color: white; }")
        self.title = ElidedLabel("leadscan")  # a long exhibitor name must not widen the window
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.subtitle = ElidedLabel("")
        self.nav_scan = QPushButton("Scan")
        self.nav_leads = QPushButton("Leads")
        self.nav_settings = QPushButton("Settings")
        self.nav_buttons: list[QPushButton] = [self.nav_scan, self.nav_leads, self.nav_settings]
        for b in self.nav_buttons:
            b.setCheckable(True)
            b.setMinimumWidth(120)
        self.logo = QLabel()
        self.logo.setObjectName("logo")
        self.logo.hide()
        self.links = QHBoxLayout()
        self.links.setSpacing(4)
        self.link_buttons: dict[str, QPushButton] = {}
        for key, text in LINKS:
            b = QPushButton(text)
            b.setFlat(True)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.setStyleSheet("color: #cfe3ff; min-height: 20px; padding: 0 6px; border: none;"
                            "text-decoration: underline; font-size: 10pt;")
            b.clicked.connect(lambda _=False, k=key: self.open_link(k))
            b.hide()
            self.link_buttons[key] = b
            self.links.addWidget(b)
        self.links.addStretch(1)
        self.open_links_in_browser = True  # kiosk: show the address instead (no escape)
        hl = QHBoxLayout(self.header)
        hl.setContentsMargins(16, 6, 16, 6)
        hl.addWidget(self.logo)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        sub = QHBoxLayout()
        sub.addWidget(self.subtitle)
        sub.addLayout(self.links, 1)
        titles.addLayout(sub)
        hl.addLayout(titles, 1)
        self.nav_layout = hl
        for b in self.nav_buttons:
            hl.addWidget(b)

        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(self.header)
        cl.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.status_line = StatusLine()
        self.setStatusBar(self.status_line)

        # wiring
        self.login_view.logged_in.connect(self._logged_in)
        self.scan_view.code_entered.connect(lambda c: self.handle_code(c, ScanSource.MANUAL))
        self.scan_view.editor.changed.connect(self.save_edit)
        self.scan_view.banner_button.clicked.connect(self.ask_login)
        self.scan_view.card.retry_requested.connect(self.retry_lead)
        self.leads_view.open_lead.connect(self.open_lead)
        self.leads_view.export_requested.connect(self.export_csv)
        self.nav_scan.clicked.connect(self.show_scan)
        self.nav_leads.clicked.connect(self.show_leads)
        self.nav_settings.clicked.connect(self.show_settings)
        self.settings_view.cancelled.connect(self.show_scan)
        self.settings_view.logout_requested.connect(self.logout)
        self.settings_view.wipe_requested.connect(self.wipe)
        self.status_line.sync_clicked.connect(lambda: self.sync.kick(force=True))
        self.sync.status_changed.connect(self._status)
        self.sync.synced.connect(self._synced)
        self.sync.auth_needed.connect(self._auth_needed)
        self.sync.profile_changed.connect(self.set_profile)
        self.tasks.failed.connect(self.show_error)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.show_leads)
        QShortcut(QKeySequence("F2"), self, activated=self.show_scan)
        self._clock = QTimer(self)
        self._clock.timeout.connect(self.status_line.refresh_times)
        self._clock.start(15_000)
        self._wipe_clock = QTimer(self)  # the automatic wipe after the event, if chosen
        self._wipe_clock.timeout.connect(self.check_auto_wipe)
        self._wipe_clock.start(3_600_000)

        if getattr(booth, "logged_in", False):
            self.set_profile(self.profile)
            self.show_scan()
            self.sync.start()
            self.check_auto_wipe()
        else:
            self.show_login()

    # -- navigation ---------------------------------------------------------------------

    def _set_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        logged_in = page is not self.login_view
        for b in self.nav_buttons:
            b.setVisible(logged_in)
        self.nav_scan.setChecked(page is self.scan_view)
        self.nav_leads.setChecked(page is self.leads_view)
        self.nav_settings.setChecked(page is self.settings_view)
        self.status_line.setVisible(logged_in)
        self.page_changed.emit(page)

    def show_login(self) -> None:
        self._set_page(self.login_view)
        self.login_view.code.setFocus()

    def show_scan(self) -> None:
        if not getattr(self.booth, "logged_in", False):
            return self.show_login()
        self._set_page(self.scan_view)
        self.scan_view.entry.setFocus()

    def show_leads(self) -> None:
        if not getattr(self.booth, "logged_in", False):
            return self.show_login()
        self.scan_view.editor.flush()
        self._set_page(self.leads_view)
        self.refresh_leads()

    def show_settings(self) -> None:
        self.scan_view.editor.flush()
        self.settings_requested.emit()
        self._set_page(self.settings_view)

    def set_logo(self, pixmap: QPixmap | None) -> None:
        if pixmap is None or pixmap.isNull():
            self.logo.hide()
            return
        self.logo.setPixmap(pixmap.scaledToHeight(48, Qt.TransformationMode.SmoothTransformation))
        self.logo.show()

    def open_link(self, key: str) -> None:
        url = self._link_urls.get(key)
        if not url:
            return
        if self.open_links_in_browser:
            QDesktopServices.openUrl(QUrl(url))
        else:
            QMessageBox.information(self, dict(LINKS)[key], f"{dict(LINKS)[key]}:\n{url}")

    def set_profile(self, profile: Profile | None) -> None:
        self.profile = profile
        self.scan_view.editor.set_profile(profile)
        if profile is None:
            self.title.setText("leadscan")
            self.subtitle.setText("")
            return
        booth = f" · Booth {profile.booth}" if profile.booth else ""
        self.title.setText(profile.name + booth)
        self.subtitle.setText(profile.event.display_name())
        ev = profile.event
        self._link_urls = {"imprint": ev.imprint_url, "privacy": ev.privacy_url,
                           "help": ev.help_url, "terms": ev.terms_url}
        for key, b in self.link_buttons.items():
            url = self._link_urls.get(key)
            b.setVisible(bool(url))
            b.setToolTip(url or "")
        if ev.logo_url != self._logo_url:
            self._logo_url = ev.logo_url
            self.logo_url_changed.emit(ev.logo_url or "")

    # -- login --------------------------------------------------------------------------

    def _logged_in(self, profile: Profile) -> None:
        self.set_profile(profile)
        self.scan_view.set_banner(None)
        self.show_scan()
        self.sync.start()

    def ask_login(self) -> None:
        """The dialog for the new access code; in kiosk mode only after the staff PIN
        (`login_gate`), so visitors never get a form with the server and code."""
        if self.login_dialog is not None and self.login_dialog.isVisible():
            self.login_dialog.raise_()
            return
        if self.login_gate is not None:
            self.login_gate(self._open_login_dialog)
        else:
            self._open_login_dialog()

    def _open_login_dialog(self) -> None:
        if self.login_dialog is not None and self.login_dialog.isVisible():
            self.login_dialog.raise_()
            return
        dlg = LoginDialog(self.booth, self.tasks, self)
        dlg.view.logged_in.connect(self._relogged_in)
        self.login_dialog = dlg
        dlg.show()

    def _relogged_in(self, profile: Profile) -> None:
        self.set_profile(profile)
        self.scan_view.set_banner(None)
        self.sync.auth_restored()

    def _auth_needed(self, message: str) -> None:
        self.scan_view.set_banner(
            "The server no longer accepts the access code. Scanning goes on; scans are kept "
            "and upload once the new code is entered.",
            "Enter new code",
        )
        if self.login_gate is None:  # kiosk: staff open it from the banner, with the PIN
            self.ask_login()

    # -- scanning -----------------------------------------------------------------------

    def handle_code(self, code: str, source: ScanSource | str = ScanSource.MANUAL) -> None:
        """A code arrived from any input: save it durably (DB lane), then show it."""
        if not code:
            return
        if not getattr(self.booth, "logged_in", False):
            self.show_error_text("Please log in before scanning.")
            return
        src = ScanSource(source) if not isinstance(source, ScanSource) else source
        t0 = time.perf_counter()
        booth = self.booth
        self.tasks.run(
            lambda: booth.scan(code, src),
            on_done=lambda res: self._scanned(res, t0),
            on_error=self._scan_failed,
            lane=Lane.DB,
            owner=self,
            label="scan",
        )

    def _scanned(self, result: Any, t0: float) -> None:
        elapsed = time.perf_counter() - t0
        self.scan_times.append(elapsed)
        lead: Lead = result.lead
        outcome = Outcome.NEW if result.is_new else Outcome.AGAIN
        if result.is_new and not self.online:
            outcome = Outcome.OFFLINE
        self._feedback(outcome)
        self.scan_view.show_lead(lead, outcome, online=self.online)
        self.scan_view.flash(outcome)
        self.shown_times.append(time.perf_counter() - t0)
        self.scan_saved.emit(result, elapsed)
        self.lead_shown.emit(lead)
        self.sync.kick()
        self.sync.refresh_status()
        if self.pages.currentWidget() is self.leads_view:
            self.refresh_leads()

    def _scan_failed(self, err: BaseException) -> None:
        self._feedback(Outcome.INVALID)
        self.show_error(err)

    def _feedback(self, outcome: Outcome) -> None:
        fb = self.feedback
        if fb is None:
            return
        try:
            fb.play(outcome.value)
        except Exception:  # noqa: BLE001 - sound is a nicety, never a reason to fail a scan
            log.exception("feedback failed")

    # -- editing ------------------------------------------------------------------------

    def save_edit(self, code: str, change: dict[str, Any]) -> None:
        booth = self.booth
        self.tasks.run(
            lambda: booth.edit(code, **change),
            on_done=self._edited,
            lane=Lane.DB,
            owner=self,
            label="edit",
        )

    def _edited(self, lead: Lead) -> None:
        self.scan_view.editor.mark_saved(lead.code)
        card = self.scan_view.card
        if card.lead is not None and card.lead.code == lead.code:
            card.show_lead(lead, online=self.online)
        self.sync.kick()

    def retry_lead(self, code: str) -> None:
        """Send a refused lead once more (the server may accept it now)."""
        booth = self.booth

        def done(lead: Lead) -> None:
            self.scan_view.card.outcome = None  # the band shows its state: waiting to upload
            self._edited(lead)
            self.sync.refresh_status()

        self.tasks.run(lambda: booth.retry(code), on_done=done, lane=Lane.DB, owner=self,
                       label="retry")

    def open_lead(self, code: str) -> None:
        booth = self.booth

        def done(lead: Lead | None) -> None:
            if lead is None:
                return
            self.show_scan()
            self.scan_view.show_lead(lead, None, online=self.online)
            self.scan_view.editor.notes.setFocus()

        self.tasks.run(lambda: booth.lead(code), on_done=done, lane=Lane.DB, owner=self,
                       label="lead")

    # -- sync results -------------------------------------------------------------------

    def _status(self, status: Any) -> None:
        self.online = bool(getattr(status, "online", False))
        self.status_line.set_status(status)

    def _synced(self, _report: Any) -> None:
        card_lead = self.scan_view.card.lead
        if card_lead is not None:
            booth, code = self.booth, card_lead.code

            was_rejected = card_lead.state is SyncState.REJECTED

            def done(lead: Lead | None) -> None:
                current = self.scan_view.card.lead
                if lead is not None and current is not None and current.code == lead.code:
                    self.scan_view.card.show_lead(lead, online=self.online)
                    self.scan_view.editor.set_lead(lead)
                    if lead.state is SyncState.REJECTED and not was_rejected:
                        # the visitor in front was refused by the server: say so out loud
                        # too (the scan itself beeped "saved" before the answer came)
                        self._feedback(Outcome.INVALID)
                        self.scan_view.flash(Outcome.INVALID)

            self.tasks.run(lambda: booth.lead(code), on_done=done, lane=Lane.DB, owner=self,
                           label="lead")
        if self.pages.currentWidget() is self.leads_view:
            self.refresh_leads()

    def refresh_leads(self) -> None:
        self.tasks.run(self.booth.leads, on_done=self.leads_view.set_leads, lane=Lane.DB,
                       owner=self, label="leads")

    # -- leaving: logout, wipe, automatic wipe ------------------------------------------

    def logout(self) -> None:
        """Log out, but never silently leave leads behind: pending ones are offered to sync
        or export first; logging out anyway needs a second confirmation (they stay saved)."""
        self.scan_view.editor.flush()
        self.tasks.run(self.booth.status, on_done=self._logout_with, lane=Lane.DB, owner=self,
                       label="status")

    def _logout_with(self, status: Any) -> None:
        pending = int(getattr(status, "pending", 0) or 0)
        if pending == 0:
            if safeguard.confirm(self, "Log out", "Log out of this exhibitor account?",
                                 "Log out", details="Every lead is uploaded."):
                self._run_leaving(lambda: self.booth.logout(), "Logged out.")
            return
        choice = safeguard.ask_about_not_uploaded(
            self, not_uploaded=pending, action="Log out",
            consequence=f"The {safeguard.leads_text(pending)} stay saved on this computer and "
                        "upload when you log in to this account again. Nothing is deleted.")
        if choice is safeguard.Choice.GO:
            self._run_leaving(lambda: self.booth.logout(force=True),
                              f"Logged out. {safeguard.leads_text(pending)} wait on this "
                              "computer for the next login.")
        else:
            self._after_choice(choice)

    def wipe(self) -> None:
        """After the show: delete every lead and the access code from this computer. Leads the
        server lacks are offered to sync or export first; deleting them takes a second yes."""
        self.scan_view.editor.flush()
        self.tasks.run(self.booth.not_uploaded, on_done=self._wipe_with, lane=Lane.DB,
                       owner=self, label="not uploaded")

    def _wipe_with(self, counts: tuple[int, int]) -> None:
        missing = sum(counts)
        if missing == 0:
            if safeguard.confirm(
                    self, "Delete leads from this computer",
                    "Delete every lead, the access code and the event data from this computer?",
                    "Delete", icon=QMessageBox.Icon.Warning,
                    details="Every lead is on the server; you can log in again afterwards."):
                self._wipe(delete_not_uploaded=False)
            return
        choice = safeguard.ask_about_not_uploaded(
            self, not_uploaded=missing, action="Delete",
            consequence=f"{safeguard.leads_text(missing)} that the server does not have will be "
                        "lost for good, with every other lead on this computer. This cannot be "
                        "undone.")
        if choice is safeguard.Choice.GO:
            self._wipe(delete_not_uploaded=True, confirmed=missing)
        else:
            self._after_choice(choice)

    def _wipe(self, *, delete_not_uploaded: bool, confirmed: int = 0) -> None:
        """`confirmed`: leads the server lacks that the person agreed to lose; a scan that
        arrives while the question is open (the USB scanner works under dialogs) is never
        deleted unasked — the core refuses, and the person is asked again."""
        booth = self.booth

        def refused(err: BaseException) -> None:
            if not isinstance(err, PendingLeadsError):
                self.show_error(err)
                return
            now_missing = err.pending + err.rejected
            if safeguard.confirm(self, "Delete anyway?", str(err), "Delete anyway",
                                 icon=QMessageBox.Icon.Warning):
                self._wipe(delete_not_uploaded=True, confirmed=now_missing)

        self.tasks.run(lambda: booth.wipe(delete_not_uploaded=delete_not_uploaded,
                                          confirmed=confirmed),
                       on_done=lambda r: self._left(
                           f"{safeguard.leads_text(r.deleted)} deleted from this computer."),
                       on_error=refused, lane=Lane.DB, owner=self, label="wipe")

    def check_auto_wipe(self) -> None:
        """The optional automatic wipe N days after the event (never of leads the server
        lacks: then the core postpones it and says so)."""
        booth = self.booth

        def done(notice: str | None) -> None:
            if not notice:
                return
            if getattr(booth, "logged_in", False):
                self.show_error_text(notice)
            else:
                self._left(notice)

        self.tasks.run(booth.auto_wipe_if_due, on_done=done, lane=Lane.DB, owner=self,
                       label="auto wipe")

    def _after_choice(self, choice: safeguard.Choice) -> None:
        if choice is safeguard.Choice.SYNC:
            self.sync.kick(force=True)
            self.status_line.note("Uploading…")
        elif choice is safeguard.Choice.EXPORT:
            self.export_csv()

    def _run_leaving(self, fn: Any, message: str) -> None:
        self.tasks.run(fn, on_done=lambda _r: self._left(message), lane=Lane.DB, owner=self,
                       label="logout")

    def _left(self, message: str) -> None:
        """The account is gone from this computer (logout or wipe): back to the login page."""
        self.sync.stop()
        self.scan_view.clear_lead()
        self.scan_view.set_banner(None)
        self.set_profile(None)
        self.show_login()
        self.login_view.show_notice(message)

    # -- export -------------------------------------------------------------------------

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export leads", str(Path.home() / "leads.csv"),
                                              "CSV (*.csv)")
        if not path:
            return
        booth = self.booth
        self.tasks.run(
            lambda: booth.export_csv(Path(path)),
            on_done=lambda n: QMessageBox.information(self, "Export", f"{n} leads written to {path}"),
            lane=Lane.DB, owner=self, label="export",
        )

    # -- messages -----------------------------------------------------------------------

    def show_error(self, err: BaseException) -> None:
        self.show_error_text(advice.describe(err) if isinstance(err, LeadscanError) else str(err))

    def show_error_text(self, text: str) -> None:
        self.status_line.note(text, 10_000)
        page = self.pages.currentWidget()
        if page is self.scan_view:
            self.scan_view.show_message(text)
        elif page is self.login_view:
            self.login_view.show_error(text)

    # -- lifecycle ----------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        self.scan_view.editor.flush()
        self.sync.stop()
        self._closing = True
        super().closeEvent(event)
