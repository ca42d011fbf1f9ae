"""Getting codes in: decoders, camera frames, keyboard-wedge timing, layout calibration.

OpenCV and its FFmpeg back end print warnings of their own on stderr for every unreadable
file or frame ("PNG input buffer is incomplete", "moov atom not found"); leadscan reports
those itself in words, so their chatter is turned down before cv2 is first imported
(a value the user set in the environment wins)."""

import os

os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
