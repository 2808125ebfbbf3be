"""Self-guided mode: an attendee works through a deck's demos on their own lab; progress is kept
between runs (progress.py) and restored into each demo (session.py). No Textual here."""
