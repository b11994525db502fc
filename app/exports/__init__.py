"""File formats other tools import (iCalendar for reminders). Pure Python: no Qt, no SQL."""
