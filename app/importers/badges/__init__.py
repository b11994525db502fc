"""Badge scans: read what a keyboard-wedge or camera scanner delivers into lead fields.

Pure Python (no Qt, no database). ``parse_scan`` sniffs and reads one payload;
``BurstAssembler`` turns timed key presses into payloads.
"""

from .burst import BurstAssembler, WedgeSettings
from .model import BADGE_FIELDS, BadgeData, DelimitedLayout, ScanRejected
from .sniff import parse_scan

__all__ = [
    "BADGE_FIELDS",
    "BadgeData",
    "BurstAssembler",
    "DelimitedLayout",
    "ScanRejected",
    "WedgeSettings",
    "parse_scan",
]
