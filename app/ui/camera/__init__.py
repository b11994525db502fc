"""Badge reading from a webcam at the booth: the live view, its decoder thread, a picture feed."""
