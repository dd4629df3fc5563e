"""airsync-tui: watch, trigger and cancel Airbyte and Hightouch syncs from a terminal."""

__version__ = "0.1.0"
