"""flatdeck: terminal slides with live infrastructure demos."""

__version__ = "0.1.0"
