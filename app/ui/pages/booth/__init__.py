"""Booth capture screens: fast, keyboard-first entry at the stand."""
