"""The main window\x27s command handlers, one module per area, mixed into MainWindow."""
