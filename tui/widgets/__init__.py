"""Textual widgets. They display what the layers below produce; they never spawn processes."""
