"""Markdown → Rich renderables. Uses Rich only (no Textual), so it can be tested and exported alone."""
