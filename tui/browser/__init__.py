"""`flatdeck serve`: the presenting app in a web browser (textual-serve). No Textual here."""
