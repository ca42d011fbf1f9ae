"""Scan feedback: a distinct sound and colour per outcome, readable and audible at a booth.

Tones are generated at runtime (no sound files to ship). Sound is optional: with no audio
device (offscreen CI, a muted kiosk) or no QtMultimedia, `play` only records the outcome.
"""

from __future__ import annotations

import enum
import io
import logging
import math
import struct
import tempfile
import wave
import weakref
from pathlib import Path

from PySide6.QtCore import QObject, Signal, QUrl

log = logging.getLogger("leadscan.gui.feedback")


class Outcome(enum.StrEnum):
    NEW = "new"  # new lead saved (and sent, or sending)
    AGAIN = "again"  # already scanned: the existing lead is shown
    INVALID = "invalid"  # not a ticket of this event (server said 400)
    OFFLINE = "offline"  # saved, details when online


# Colour-blind-safe enough with the labels: green / blue / red / amber.
COLOURS: dict[Outcome, str] = {
    Outcome.NEW: "#1a7f37",
    Outcome.AGAIN: "#0969da",
    Outcome.INVALID: "#cf222e",
    Outcome.OFFLINE: "#bf8700",
}
LABELS: dict[Outcome, str] = {
    Outcome.NEW: "New lead",
    Outcome.AGAIN: "Already scanned",
    Outcome.INVALID: "Not a ticket",
    Outcome.OFFLINE: "Saved offline",
}
# (frequency Hz, milliseconds); frequency 0 is a pause. Distinct by pitch *and* rhythm.
TONES: dict[Outcome, list[tuple[float, int]]] = {
    Outcome.NEW: [(1568.0, 140)],  # one short high beep
    Outcome.AGAIN: [(1046.0, 80), (0, 70), (1046.0, 80)],  # two medium beeps
    Outcome.INVALID: [(220.0, 450)],  # long low buzz
    Outcome.OFFLINE: [(880.0, 90), (0, 30), (1318.0, 130)],  # rising pair
}


def make_wav(segments: list[tuple[float, int]], rate: int = 22050, volume: float = 0.6) -> bytes:
    """16-bit mono WAV of tone segments, with 5 ms fades so nothing clicks."""
    frames = bytearray()
    fade = int(rate * 0.005)
    for freq, ms in segments:
        n = int(rate * ms / 1000)
        for i in range(n):
            if freq <= 0:
                s = 0.0
            else:
                env = min(1.0, i / fade, (n - 1 - i) / fade) if fade else 1.0
                s = volume * env * math.sin(2 * math.pi * freq * i / rate)
                if freq < 400:  # low buzz: add a harmonic so small laptop speakers play it
                    s = 0.7 * s + 0.3 * volume * env * math.sin(2 * math.pi * 3 * freq * i / rate)
            frames += struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return buf.getvalue()


def _audio_available() -> bool:
    try:
        from PySide6.QtMultimedia import QMediaDevices

        return bool(QMediaDevices.audioOutputs())
    except Exception as exc:  # noqa: BLE001 - QtMultimedia missing or broken: no sound
        log.info("no sound: %s", exc)
        return False


class Feedback(QObject):
    """`play(outcome)` beeps (if sound is on and possible) and emits `played(outcome)`."""

    played = Signal(str)

    def __init__(self, parent: QObject | None = None, *, sound: bool = True, volume: float = 0.8) -> None:
        super().__init__(parent)
        self.sound_enabled = sound
        self.volume = volume
        self._effects: dict[Outcome, object] | None = None
        self._audio: bool | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    @staticmethod
    def colour(outcome: Outcome | str) -> str:
        return COLOURS[Outcome(outcome)]

    @staticmethod
    def label(outcome: Outcome | str) -> str:
        return LABELS[Outcome(outcome)]

    def set_sound_enabled(self, on: bool) -> None:
        self.sound_enabled = on

    @property
    def audio_available(self) -> bool:
        if self._audio is None:
            self._audio = _audio_available()
        return self._audio

    def play(self, outcome: Outcome | str) -> bool:
        """Returns True if a sound was started. Never raises for sound problems."""
        out = Outcome(outcome)
        self.played.emit(out.value)
        if not self.sound_enabled or not self.audio_available:
            return False
        try:
            effect = self._effect(out)
            if effect is None:
                return False
            effect.play()
            return True
        except Exception:  # noqa: BLE001 - a sound is never worth an error
            log.exception("could not play the %s sound", out)
            self._audio = False
            return False

    def _effect(self, out: Outcome) -> object | None:
        if self._effects is None:
            from PySide6.QtMultimedia import QSoundEffect

            self._dir = tempfile.TemporaryDirectory(prefix="leadscan-sounds-")
            weakref.finalize(self, self._dir.cleanup)
            self._effects = {}
            for o, segments in TONES.items():
                path = Path(self._dir.name) / f"{o.value}.wav"
                path.write_bytes(make_wav(segments))
                eff = QSoundEffect(self)
                eff.setSource(QUrl.fromLocalFile(str(path)))
                eff.setVolume(self.volume)
                self._effects[o] = eff
        return self._effects.get(out)
