# One command to present, one to test; both set themselves up on a fresh Debian/Ubuntu machine.
VENV    ?= .venv
PYTHON  ?= python3
DECK    ?= slides
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# what the test suite talks to for real
TEST_SYSTEM_PACKAGES := tmux openssh-server squashfs-tools systemd-container chromium

.PHONY: present test bench check sysdeps-test clean

present: $(VENV)/.installed
	$(VENV)/bin/flatdeck present $(DECK)

check: $(VENV)/.installed
	$(VENV)/bin/flatdeck check $(DECK)

test: sysdeps-test $(VENV)/.installed-test $(VENV)/systemd-sysupdate/env
	$(VENV)/bin/pytest

bench: sysdeps-test $(VENV)/.installed-test
	$(VENV)/bin/python benchmarks/run.py
	$(VENV)/bin/python benchmarks/panes.py
	$(VENV)/bin/python benchmarks/replay.py
	$(VENV)/bin/python benchmarks/kube.py
	$(VENV)/bin/python benchmarks/export.py

$(VENV)/bin/python:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(VENV)/bin/pip install -q -e . --config-settings editable_mode=compat
	@touch $@

$(VENV)/.installed-test: $(VENV)/bin/python pyproject.toml
	$(VENV)/bin/pip install -q -e '.[test]' --config-settings editable_mode=compat
	@touch $@ $(VENV)/.installed

# systemd-sysupdate for tests/test_lab_sysupdate.py (Debian 12's systemd has none): see the script
$(VENV)/systemd-sysupdate/env: tests/tools/systemd-sysupdate.sh
	tests/tools/systemd-sysupdate.sh $(VENV)/systemd-sysupdate

sysdeps-test:
	@missing=""; for p in $(TEST_SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
