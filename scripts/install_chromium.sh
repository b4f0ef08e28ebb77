#!/usr/bin/env bash
# Install Chromium for the widget's browser tests (tests/e2e/test_widget_browser.py).
#
# Idempotent, and only ever from the system package manager: it never downloads a
# browser from anywhere else (no `playwright install`). Without Chromium the browser
# tests skip themselves, so this script never fails the build: it exits 0 either way.
set -u

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "chromium already installed: $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo "version unknown"))"
    exit 0
fi

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    echo "installing chromium with apt-get (quietly; this can take a minute)..."
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
        if [ -x "$CHROMIUM" ]; then
            echo "chromium installed: $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo "version unknown"))"
            exit 0
        fi
    fi
    echo "chromium not installed (apt-get could not install it): browser tests will be skipped"
    exit 0
fi

echo "chromium not installed: browser tests will be skipped"
echo "  (to run them, install your distribution's chromium package as root, e.g. apt-get install chromium)"
exit 0
