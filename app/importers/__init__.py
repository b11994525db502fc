"""Importers that turn outside data (badge scans, exports) into lead fields."""
