"""Storage: the only package that imports SQLAlchemy. SQLite specifics (FTS5, pragmas) stay here."""
