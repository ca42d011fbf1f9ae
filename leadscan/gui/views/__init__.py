"""Screens: layout only; the window feeds them data and listens to their signals."""
