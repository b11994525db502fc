"""The Qt GUI: the only package that imports PySide6. It talks to services, never to storage."""
