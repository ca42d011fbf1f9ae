"""The two questions asked before leads could be left behind or deleted (logout, wipe).

Leads the server does not hold yet are first offered to sync or export; going ahead anyway
takes a second, explicit confirmation that says what happens to them. Layout only: the
caller acts on the answer.
"""

from __future__ import annotations

import enum

from PySide6.QtWidgets import QMessageBox, QWidget


class Choice(enum.Enum):
    CANCEL = "cancel"
    SYNC = "sync"
    EXPORT = "export"
    GO = "go"


def leads_text(n: int) -> str:
    return f"{n} lead" if n == 1 else f"{n} leads"


def confirm(parent: QWidget, title: str, text: str, action: str, *,
            icon: QMessageBox.Icon = QMessageBox.Icon.Question, details: str = "") -> bool:
    """A yes/cancel question whose yes-button names the action (never a bare "OK")."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Cancel, parent)
    if details:
        box.setInformativeText(details)
    ok = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is ok


def ask_about_not_uploaded(parent: QWidget, *, not_uploaded: int, action: str,
                           consequence: str) -> Choice:
    """`not_uploaded` leads are not on the server: sync, export, or (twice asked) go on.

    `action` names the step ("Log out", "Delete"); `consequence` says in the second
    question what becomes of those leads."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Leads not on the server yet",
                      f"{leads_text(not_uploaded)} "
                      f"{'is' if not_uploaded == 1 else 'are'} not on the server yet.",
                      QMessageBox.StandardButton.Cancel, parent)
    box.setInformativeText("Upload them first (needs the network), or export them to a file.")
    sync = box.addButton("Sync now", QMessageBox.ButtonRole.ActionRole)
    export = box.addButton("Export CSV…", QMessageBox.ButtonRole.ActionRole)
    anyway = box.addButton(f"{action} anyway…", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(sync)
    box.exec()
    clicked = box.clickedButton()
    if clicked is sync:
        return Choice.SYNC
    if clicked is export:
        return Choice.EXPORT
    if clicked is anyway and confirm(parent, f"{action} anyway?", consequence, action,
                                     icon=QMessageBox.Icon.Warning):
        return Choice.GO
    return Choice.CANCEL
