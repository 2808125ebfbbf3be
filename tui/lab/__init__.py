"""The lab: what the demos run against. `sysext`: a local systemd-sysext lab that needs no VM."""
