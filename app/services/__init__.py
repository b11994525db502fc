"""Plain-Python use-cases over storage. No Qt here; every method returns records or raises domain errors."""
