"""Command-line interface: a presentation layer like the GUI. It calls services only.

``python main.py [--db PATH] [--json] COMMAND ...`` reaches :func:`app.cli.main.run`.
"""
