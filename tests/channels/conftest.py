"""Every channel test starts from bot/config.py's defaults: no Twilio setting in the
environment of whoever runs the tests leaks in, and a test that sets one is seen."""

import pytest

from bot.config import env_names, settings


@pytest.fixture(autouse=True)
def default_settings(monkeypatch):
    for name in env_names().values():
        if name != "KNOWLEDGE_DIR":
            monkeypatch.delenv(name, raising=False)
    settings.cache_clear()
    yield
    settings.cache_clear()
