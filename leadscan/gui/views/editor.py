"""Notes, 0-5 rating and tags of one lead. Every change is saved locally at once.

The editor only emits `changed(code, {field: value})`; the window saves it through
`Booth.edit` on the database lane and queues the upload. Notes are saved 600 ms after the
last keystroke, when the editor loses focus and before another lead is shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leadscan.core.booth import MAX_NOTES_LEN
from leadscan.core.models import Lead, Profile
from leadscan.gui import theme

NOTES_DEBOUNCE_MS = 600


class _NotesEdit(QPlainTextEdit):
    focus_lost = Signal()

    def focusOutEvent(self, event: Any) -> None:  # noqa: N802 - Qt name
        super().focusOutEvent(event)
        self.focus_lost.emit()


class FlowLayout(QLayout):
    """Lays widgets left to right and wraps to the next line when the width runs out
    (Qt's flow layout example): tag buttons fit any window width and touch size."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._do_layout(QRect(0, 0, width, 0), test=True)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._do_layout(rect, test=False)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _do_layout(self, rect: QRect, *, test: bool) -> int:
        x, y, line_h = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            next_x = x + hint.width() + self._spacing
            if next_x - self._spacing > rect.right() and line_h > 0:
                x = rect.x()
                y += line_h + self._spacing
                next_x = x + hint.width() + self._spacing
                line_h = 0
            if not test:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x = next_x
            line_h = max(line_h, hint.height())
        return y + line_h - rect.y()


class FlowRow(QWidget):
    """Buttons that wrap onto several lines (for tags)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lay = FlowLayout(self)
        self.buttons: list[QPushButton] = []
        sp = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        sp.setHeightForWidth(True)
        self.setSizePolicy(sp)

    def set_buttons(self, buttons: list[QPushButton]) -> None:
        for b in self.buttons:
            self._lay.removeWidget(b)
            b.setParent(None)
            b.deleteLater()
        self.buttons = buttons
        for b in buttons:
            self._lay.addWidget(b)
        self.updateGeometry()


class LeadEditor(QFrame):
    changed = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editor")
        self.code: str | None = None
        self._loading = False
        self._notes_dirty = False
        self._profile: Profile | None = None

        # rating: "0" and five stars (the API cannot remove a rating once saved, so there is
        # no "clear"; 0 means "rated: not interested")
        self.rating_label = QLabel("Rating")
        self.rating_buttons: list[QToolButton] = []
        self.rating_group = QButtonGroup(self)
        self.rating_group.setExclusive(False)
        rating_row = QHBoxLayout()
        rating_row.setSpacing(4)
        for value in range(6):
            b = QToolButton()
            b.setObjectName("star")
            b.setCheckable(True)
            b.setText("0" if value == 0 else "★")
            b.setToolTip("Not interested (0)" if value == 0 else f"{value} of 5")
            b.setMinimumSize(theme.TOUCH, theme.TOUCH)
            b.setAccessibleName(f"rating {value}")
            self.rating_group.addButton(b, value)
            self.rating_buttons.append(b)
            rating_row.addWidget(b)
        self.rating_text = QLabel("no rating")
        self.rating_text.setObjectName("hint")
        rating_row.addSpacing(12)
        rating_row.addWidget(self.rating_text)
        rating_row.addStretch(1)
        self.rating_group.idClicked.connect(self._rating_clicked)
        self.rating: int | None = None

        self.tags_label = QLabel("Tags")
        self.tags = FlowRow()

        self.notes_label = QLabel("Notes")
        self.notes = _NotesEdit()
        self.notes.setPlaceholderText("What did you talk about? Follow-up?")
        self.notes.setMinimumHeight(80)
        self.notes.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.notes.textChanged.connect(self._notes_edited)
        self.notes.focus_lost.connect(self.flush)
        self.notes_off = QLabel("Notes are not enabled for this event.")
        self.notes_off.setObjectName("hint")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTES_DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)

        self.saved = QLabel("")
        self.saved.setObjectName("hint")
        self.saved.setAlignment(Qt.AlignmentFlag.AlignRight)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 8, 20, 8)
        for w in (self.rating_label, self.tags_label, self.notes_label):
            w.setStyleSheet("font-weight: bold;")
        lay.addWidget(self.rating_label)
        lay.addLayout(rating_row)
        lay.addWidget(self.tags_label)
        lay.addWidget(self.tags)
        lay.addWidget(self.notes_label)
        lay.addWidget(self.notes, 1)
        lay.addWidget(self.notes_off)
        lay.addWidget(self.saved)
        self.set_profile(None)
        self.set_lead(None)

    # -- content ------------------------------------------------------------------------

    def set_profile(self, profile: Profile | None) -> None:
        self._profile = profile
        notes_ok = bool(profile and profile.notes_allowed)
        self.notes.setVisible(notes_ok)
        self.notes_label.setVisible(notes_ok)
        self.notes_off.setVisible(profile is not None and not notes_ok)
        self._build_tags(self.current_tags() if self.code else ())

    def _build_tags(self, selected: tuple[str, ...]) -> None:
        names = list(self._profile.tags) if self._profile else []
        # tags the lead carries that the profile no longer lists stay visible and kept
        names += [t for t in selected if t not in names]
        buttons = []
        for name in names:
            b = QPushButton(name)
            b.setObjectName("tag")
            b.setCheckable(True)
            b.setChecked(name in selected)
            b.setEnabled(self.code is not None)
            b.toggled.connect(self._tags_toggled)
            buttons.append(b)
        self.tags.set_buttons(buttons)
        self.tags_label.setVisible(bool(buttons))
        self.tags.setVisible(bool(buttons))

    def set_lead(self, lead: Lead | None) -> None:
        """Show `lead` (None: empty, disabled). Unsaved notes of the previous lead are saved."""
        if self.code is not None and (lead is None or lead.code != self.code):
            self.flush()
        self._loading = True
        try:
            same = lead is not None and lead.code == self.code
            self.code = lead.code if lead else None
            enabled = lead is not None
            for b in self.rating_buttons:
                b.setEnabled(enabled)
            self.notes.setEnabled(enabled)
            if lead is None:
                self._set_rating(None)
                self.notes.setPlainText("")
                self._build_tags(())
                self.saved.setText("")
                return
            self._set_rating(lead.rating)
            # never overwrite what the user is typing with an older copy
            if not (same and (self._notes_dirty or self.notes.hasFocus())):
                if self.notes.toPlainText() != lead.notes:
                    self.notes.setPlainText(lead.notes)
            self._build_tags(tuple(lead.tags))
        finally:
            self._loading = False

    def current_tags(self) -> tuple[str, ...]:
        return tuple(b.text() for b in self.tags.buttons if b.isChecked())

    # -- edits --------------------------------------------------------------------------

    def _set_rating(self, value: int | None) -> None:
        self.rating = value
        for i, b in enumerate(self.rating_buttons):
            b.setChecked(value is not None and (i == value or (value > 0 and 0 < i <= value)))
        self.rating_text.setText("no rating" if value is None else f"{value} / 5")

    def _rating_clicked(self, value: int) -> None:
        if self.code is None:
            return
        if value == self.rating:
            self._set_rating(value)  # keep the buttons showing the value
            return
        self._set_rating(value)
        self._emit({"rating": value})

    def _tags_toggled(self, _on: bool) -> None:
        if self._loading or self.code is None:
            return
        self._emit({"tags": list(self.current_tags())})

    def _notes_edited(self) -> None:
        if self._loading or self.code is None:
            return
        self._notes_dirty = True
        text = self.notes.toPlainText()
        if len(text) > MAX_NOTES_LEN:  # what is shown is what is saved: cut, and say so
            self._loading = True
            try:
                self.notes.setPlainText(text[:MAX_NOTES_LEN])
                self.notes.moveCursor(QTextCursor.MoveOperation.End)
            finally:
                self._loading = False
            self.saved.setText(f"Notes hold at most {MAX_NOTES_LEN:,} characters: the rest was cut.")
            self._timer.start()
            return
        self.saved.setText("Typing…")
        self._timer.start()

    def flush(self) -> None:
        """Save pending notes now."""
        self._timer.stop()
        if self._notes_dirty and self.code is not None:
            self._notes_dirty = False
            self._emit({"notes": self.notes.toPlainText()})

    def _emit(self, change: dict[str, Any]) -> None:
        assert self.code is not None
        self.saved.setText("Saving…")
        self.changed.emit(self.code, change)

    def mark_saved(self, code: str) -> None:
        if code == self.code and not self._notes_dirty:
            self.saved.setText("Saved on this computer ✓")
