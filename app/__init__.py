"""Leadline: lead management for small B2B sales teams."""

__version__ = "0.1.0"
