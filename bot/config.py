"""Every setting the project's code reads from the environment, in one place, with its default.

    from bot.config import settings
    settings().twilio_number

Each field of `Settings` names its environment variable and says what it means; `settings()`
reads them once per process (tests call `settings.cache_clear()` after changing the
environment). Nothing else in bot/ or actions/ reads os.environ (tests/test_config.py checks).

Every default suits a local run (`make run`): nothing needs to be set. Deployments set the
variables (deploy/.env.example, deploy/k8s/); a value still starting with "change-me" (their
placeholders) is refused. An empty Twilio setting switches its channel off: it stays mounted
and answers every request with 403. The SMS and WhatsApp channels take
these settings unless credentials.yml gives a value itself.

Rasa's own files are not settings of ours: deploy/endpoints.yml refers to ${DB_HOST} and the
like, which Rasa substitutes (and requires) itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = "change-me"  # how the examples in deploy/ mark a value still to be filled in


def _setting(env: str, default: Any, meaning: str) -> Any:
    return field(default=default, metadata={"env": env, "meaning": meaning})


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = _setting(
        "KNOWLEDGE_DIR",
        PROJECT_ROOT / "knowledge",
        "the knowledge base folder (jurisdictions, topics, harms, platforms: YAML)",
    )
    twilio_account_sid: str = _setting(
        "TWILIO_ACCOUNT_SID", "", "the Twilio account (SMS and WhatsApp); empty: both channels off"
    )
    twilio_auth_token: str = _setting(
        "TWILIO_AUTH_TOKEN", "", "that account's auth token, which signs Twilio's webhooks; empty: both channels off"
    )
    twilio_number: str = _setting("TWILIO_NUMBER", "", "the number SMS replies come from (+E.164); empty: SMS off")
    twilio_whatsapp_number: str = _setting(
        "TWILIO_WHATSAPP_NUMBER", "", 'the WhatsApp sender (+E.164, without "whatsapp:"); empty: WhatsApp off'
    )
    sms_sender_secret: str = _setting(
        "SMS_SENDER_SECRET",
        "",
        "the key of the HMAC that turns a phone number into a conversation id (SMS and WhatsApp); "
        "empty: the auth token, so every conversation starts afresh when it is rotated",
    )
    twilio_sms_public_url: str = _setting(
        "TWILIO_SMS_PUBLIC_URL",
        "",
        "the SMS webhook's URL as Twilio calls it, when a proxy sits in front; empty: the request's own URL",
    )
    twilio_whatsapp_public_url: str = _setting(
        "TWILIO_WHATSAPP_PUBLIC_URL",
        "",
        "the WhatsApp webhook's URL as Twilio calls it, when a proxy sits in front; empty: the request's own URL",
    )
    tracker_retention_days: int = _setting(
        "TRACKER_RETENTION_DAYS",
        30,
        "`python -m bot.retention purge` deletes conversations idle for longer than this many days",
    )


def env_names() -> Dict[str, str]:
    """Settings field -> its environment variable."""
    return {f.name: f.metadata["env"] for f in fields(Settings)}


def describe() -> Dict[str, str]:
    """Environment variable -> what it means (for docs and tests)."""
    return {f.metadata["env"]: f.metadata["meaning"] for f in fields(Settings)}


def _value(name: str, default: Any, raw: Optional[str]) -> Any:
    raw = None if raw is None else raw.strip()
    if raw and raw.startswith(PLACEHOLDER):  # named, never shown: it may be meant as a secret
        raise ValueError(f"{name} is still a placeholder ({PLACEHOLDER}...); see deploy/.env.example")
    if isinstance(default, str):
        return default if raw is None else raw
    if not raw:  # an empty number or path means "the default"
        return default
    if isinstance(default, int):
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
        if value < 1:
            raise ValueError(f"{name} must be at least 1, not {value}")
        return value
    return type(default)(raw)


def load(environ: Mapping[str, str]) -> Settings:
    """The settings from an environment (a mapping); unset variables take their defaults."""
    return Settings(
        **{f.name: _value(f.metadata["env"], f.default, environ.get(f.metadata["env"])) for f in fields(Settings)}
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings of this process, read from os.environ once (`settings.cache_clear()` rereads)."""
    return load(os.environ)
