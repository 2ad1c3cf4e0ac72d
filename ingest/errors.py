class QuarantineError(Exception):
    """A file (or a report inside it) cannot be loaded; the message is the recorded reason."""
