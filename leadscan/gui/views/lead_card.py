"""The last scanned lead, large enough to read from a metre away."""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from leadscan.core.models import Lead, SyncState
from leadscan.core.scan.payload import display_code
from leadscan.gui import theme
from leadscan.gui.widgets import breakable


class Outcome(enum.Enum):
    """What the last scan meant, shown as a coloured band (and a sound, see feedback)."""

    NEW = "new"
    AGAIN = "again"
    OFFLINE = "offline"
    INVALID = "invalid"


OUTCOME_STYLE: dict[Outcome, tuple[str, str]] = {
    Outcome.NEW: (theme.GREEN, "✔  New lead saved"),
    Outcome.AGAIN: (theme.BLUE, "↻  Already scanned"),
    Outcome.OFFLINE: (theme.AMBER, "✔  Saved — details when online"),
    Outcome.INVALID: (theme.RED, "✖  Not a ticket of this event"),
}

_NAME_IDS = ("attendee_name", "name")


def _set_code_style(label: QLabel, is_code: bool) -> None:
    """Big name, or (no details yet) the code in a smaller monospace font (theme.py)."""
    if label.property("code") == is_code:
        return
    label.setProperty("code", is_code)
    label.style().unpolish(label)
    label.style().polish(label)
    label.updateGeometry()
_COMPANY_HINTS = ("company",)


def company_of(lead: Lead) -> str:
    for f in lead.fields:
        if any(h in f.id.lower() or h in f.label.lower() for h in _COMPANY_HINTS):
            return f.value
    return ""


def _selectable(text: str) -> QLabel:
    """A value staff may copy (an email, the code): wraps at spaces, and a longer unbroken
    run is clipped at the card's edge rather than widening the card. No break marks are put
    into the text, so a copy is exactly what the server sent."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(40)
    return label


class LeadCard(QFrame):
    """Outcome band, attendee name/company in large type, then every field the server sent."""

    retry_requested = Signal(str)  # code of a refused lead to send again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadcard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.lead: Lead | None = None
        self.outcome: Outcome | None = None

        self.band = QLabel()
        self.band.setObjectName("band")
        self.band.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.band.setMinimumHeight(56)
        self.band.setWordWrap(True)
        self.band.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.name = QLabel()
        self.name.setObjectName("leadname")
        self.name.setWordWrap(True)
        _set_code_style(self.name, False)
        self.company = QLabel()
        self.company.setWordWrap(True)
        self.company.setObjectName("company")
        self.detail = QLabel()
        self.detail.setObjectName("detail")
        self.detail.setWordWrap(True)
        self.retry = QPushButton("Send again")
        self.retry.setToolTip("Upload this refused lead once more (e.g. after the organizer "
                              "fixed the ticket).")
        self.retry.clicked.connect(
            lambda: self.lead is not None and self.retry_requested.emit(self.lead.code))
        self.retry.hide()
        self.fields_box = QWidget()
        self.fields = QFormLayout(self.fields_box)
        self.fields.setContentsMargins(0, 8, 0, 0)
        self.fields.setLabelAlignment(Qt.AlignmentFlag.AlignRight)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 12)
        lay.addWidget(self.band)
        body = QVBoxLayout()
        body.setContentsMargins(20, 8, 20, 0)
        body.addWidget(self.name)
        body.addWidget(self.company)
        body.addWidget(self.detail)
        body.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(self.fields_box)
        lay.addLayout(body)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.clear()

    # -- state --------------------------------------------------------------------------

    def clear(self) -> None:
        """Idle: no visitor's details on screen."""
        self.lead = None
        self.outcome = None
        self._band("#dfe3e8", "Ready — hold a badge up to the camera", fg="#333")
        self.name.setText("Scan a badge")
        _set_code_style(self.name, False)
        self.company.setText("")
        self.detail.setText("Camera, USB scanner or type the code below.")
        self.retry.hide()
        self._set_fields(None)

    def show_lead(self, lead: Lead, outcome: Outcome | None = None, *, online: bool = True) -> None:
        if outcome is not None:
            self.outcome = outcome
        elif self.lead is None or self.lead.code != lead.code:
            self.outcome = None
        self.lead = lead
        out = self.outcome
        if lead.state is SyncState.REJECTED:
            out = Outcome.INVALID
        elif out is Outcome.NEW and lead.state is SyncState.PENDING and not lead.fields and not online:
            out = Outcome.OFFLINE
        if out is not None:
            colour, text = OUTCOME_STYLE[out]
            self._band(colour, text)
        else:
            colour = theme.STATE_COLOURS[lead.state]
            self._band(colour, theme.STATE_TEXT[lead.state])

        name = lead.display_name
        if name:
            self.name.setText(breakable(name, 24))
            _set_code_style(self.name, False)
        else:  # no details yet: the code, smaller (a 32-character secret must fit)
            self.name.setText(breakable(display_code(lead.code, 40)))
            _set_code_style(self.name, True)
        self.company.setText(breakable(company_of(lead), 30))
        self.retry.setVisible(lead.state is SyncState.REJECTED and bool(lead.code))
        if lead.state is SyncState.REJECTED:
            self.detail.setText(f"Server said: {lead.reason or 'rejected'}")
        elif not lead.fields:
            self.detail.setText(
                "Saved — details when online." if not online else "Saved — loading details…"
            )
        else:
            self.detail.setText("")
        self._set_fields(lead)

    def _band(self, bg: str, text: str, fg: str = "white") -> None:
        self.band.setText(text)
        self.band.setStyleSheet(
            f"background: {bg}; color: {fg}; font-size: 20pt; font-weight: bold; padding: 8px;"
        )

    def _set_fields(self, lead: Lead | None) -> None:
        while self.fields.rowCount():
            self.fields.removeRow(0)
        if lead is None:
            return
        shown = {lead.display_name, company_of(lead)}
        for f in lead.fields:
            if f.id in _NAME_IDS or (f.value in shown and f.value):
                continue
            value = _selectable(f.value or "—")
            label = QLabel(f.label + ":")
            label.setObjectName("hint")
            self.fields.addRow(label, value)
        code = _selectable(display_code(lead.code, 64))
        code.setObjectName("hint")
        code_label = QLabel("Code:")
        code_label.setObjectName("hint")
        self.fields.addRow(code_label, code)
