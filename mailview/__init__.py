"""mailview: where an email has been, who vouches for it, and what is off about it."""

__version__ = "0.1.0"
