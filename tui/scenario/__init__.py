"""Scenarios (scenarios/NAME.yaml: the steps of one demo) and the lab inventory they run against.

Pure models: parse and validate with located errors; no Textual, no processes, no sockets.
"""
