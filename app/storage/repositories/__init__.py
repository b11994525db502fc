"""Repositories: every select/insert/update of the app lives in this package."""
