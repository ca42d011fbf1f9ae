"""All leads with their sync state; rejected ones show the server's reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leadscan.core.models import Lead, SyncState
from leadscan.core.scan.payload import display_code
from leadscan.gui import theme
from leadscan.gui.views.lead_card import company_of

_Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Name", "Company", "Scanned", "Rating", "Tags", "Notes", "Sync state")


def _state_text(lead: Lead) -> str:
    text = theme.STATE_TEXT[lead.state]
    if lead.state is SyncState.REJECTED and lead.reason:
        return f"{text}: {lead.reason}"
    return text


class LeadsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.leads: list[Lead] = []

    def set_leads(self, leads: list[Lead]) -> None:
        self.beginResetModel()
        self.leads = sorted(leads, key=lambda lead: lead.seq, reverse=True)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.leads)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        lead = self.leads[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.ToolTipRole and col == 6 and lead.reason:
            return lead.reason
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == 0:
                return lead.display_name or display_code(lead.code, 40)
            if col == 1:
                return company_of(lead)
            if col == 2:
                return lead.scanned.astimezone().strftime("%a %H:%M")
            if col == 3:
                return "" if lead.rating is None else "★" * lead.rating or "0"
            if col == 4:
                return ", ".join(lead.tags)
            if col == 5:
                return lead.notes.replace("\n", " ")
            if col == 6:
                return _state_text(lead)
        if role == Qt.ItemDataRole.ForegroundRole and col == 6:
            return QBrush(theme.state_colour(lead.state))
        if role == Qt.ItemDataRole.BackgroundRole and lead.state is SyncState.REJECTED:
            return QBrush(QColor("#fdecea"))
        if role == Qt.ItemDataRole.UserRole:
            return lead.code
        return None


class LeadsView(QWidget):
    open_lead = Signal(str)
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leads")
        self.model = LeadsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(theme.TOUCH)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        for col, width in enumerate((240, 180, 110, 110, 160, 220)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.activated.connect(self._double_clicked)

        self.summary = QLabel("")
        self.summary.setStyleSheet("font-weight: bold;")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Find…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.export = QPushButton("Export CSV…")
        self.export.clicked.connect(self.export_requested)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.filter)
        top.addWidget(self.export)
        hint = QLabel("Double-click a lead to edit its notes, rating and tags.")
        hint.setObjectName("hint")

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(hint)

    def set_leads(self, leads: list[Lead]) -> None:
        self.model.set_leads(leads)
        counts = {s: 0 for s in SyncState}
        for lead in leads:
            counts[lead.state] += 1
        self.summary.setText(
            f"{len(leads)} leads — {counts[SyncState.SYNCED]} uploaded, "
            f"{counts[SyncState.PENDING]} waiting, {counts[SyncState.REJECTED]} rejected"
        )
        self._filter(self.filter.text())

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.model.rowCount()):
            if not needle:
                self.table.setRowHidden(row, False)
                continue
            hay = " ".join(
                str(self.model.data(self.model.index(row, c)) or "") for c in range(len(COLUMNS))
            ).lower()
            self.table.setRowHidden(row, needle not in hay)

    def _double_clicked(self, index: QModelIndex) -> None:
        code = self.model.data(index, Qt.ItemDataRole.UserRole)
        if code is not None:
            self.open_lead.emit(code)
