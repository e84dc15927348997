"""minutes: read Vietnamese chi bộ meeting minutes and check them against the Party's rules."""

__version__ = "0.1.0"
