import io
import wave

import pytest

from leadscan.gui.input.feedback import COLOURS, TONES, Feedback, Outcome, make_wav

pytestmark = pytest.mark.gui


def test_each_outcome_has_its_own_colour_and_sound():
    assert len(set(COLOURS.values())) == len(Outcome)
    assert len({tuple(t) for t in TONES.values()}) == len(Outcome)
    for o in Outcome:
        assert Feedback.colour(o).startswith("#") and Feedback.label(o)


def test_wav_is_valid_and_as_long_as_its_tones():
    for o, segments in TONES.items():
        data = make_wav(segments, rate=8000)
        with wave.open(io.BytesIO(data)) as w:
            ms = w.getnframes() * 1000 / w.getframerate()
            assert w.getnchannels() == 1 and w.getsampwidth() == 2
        assert abs(ms - sum(d for _, d in segments)) < 5, o


def test_play_without_audio_device_does_not_crash(qtbot):
    fb = Feedback()
    played = []
    fb.played.connect(played.append)
    for value in ("new", "again", "invalid", "offline"):  # the GUI passes Outcome values
        fb.play(value)
    assert played == ["new", "again", "invalid", "offline"]
    with pytest.raises(ValueError):
        fb.play("nonsense")


def test_sound_off(qtbot):
    fb = Feedback(sound=False)
    assert fb.play(Outcome.NEW) is False
    fb.set_sound_enabled(True)
    fb.play(Outcome.NEW)  # whatever the machine has, no exception
