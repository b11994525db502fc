"""Pure-Python domain: vocabulary, value objects, validation. Imports neither Qt nor SQLAlchemy."""
