"""The engine: runners for each kind of target, the step executor, typed events. No Textual here."""
