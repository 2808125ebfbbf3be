"""Kubernetes panes as pure data: kind names, columns, selectors, JSONPath, the object store, the
table and `clusterctl describe` tree views, and resource waits.

Nothing here imports `kubernetes`, `textual` or does I/O: the engine (tui/engine/kube.py) feeds
watch events in, the widgets draw what the views give, and a recording replays into the same views.
"""
