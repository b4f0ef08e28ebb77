"""Settings in one place: bot/config.py holds every setting the project's code reads from the
environment, each with its default; nothing else in bot/ or actions/ reads os.environ; and
Rasa's own files at the repository root need nothing set."""

from __future__ import annotations

import ast
import re
from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings, describe, env_names, load, settings

ROOT = Path(__file__).resolve().parent.parent
TWILIO = [
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_NUMBER",
    "TWILIO_WHATSAPP_NUMBER",
    "SMS_SENDER_SECRET",
    "TWILIO_SMS_PUBLIC_URL",
    "TWILIO_WHATSAPP_PUBLIC_URL",
]


@pytest.fixture
def clean_environment(monkeypatch):
    """None of the settings set, as on a fresh machine."""
    for name in env_names().values():
        monkeypatch.delenv(name, raising=False)
    settings.cache_clear()
    yield monkeypatch
    settings.cache_clear()


# -- the settings ------------------------------------------------------------------------------


def test_every_setting_names_its_variable_and_says_what_it_means():
    names = list(env_names().values())
    assert len(names) == len(set(names)) == len(fields(Settings))
    assert set(TWILIO) | {"KNOWLEDGE_DIR", "TRACKER_RETENTION_DAYS"} == set(names)
    for name, meaning in describe().items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", name), name
        assert len(meaning.split()) >= 5 and "\n" not in meaning, name


def test_the_defaults_need_nothing_set():
    defaults = load({})
    assert defaults == Settings()
    assert defaults.knowledge_dir == PROJECT_ROOT / "knowledge" and defaults.knowledge_dir.is_dir()
    assert defaults.tracker_retention_days == 30
    for field in fields(Settings):
        if field.metadata["env"] in TWILIO:
            assert getattr(defaults, field.name) == "", field.name  # empty: SMS and WhatsApp off


def test_the_environment_overrides_each_default(tmp_path):
    environ = {
        "KNOWLEDGE_DIR": str(tmp_path),
        "TRACKER_RETENTION_DAYS": "7",
        **{name: f"value-of-{name.lower()}" for name in TWILIO},
    }
    loaded = load(environ)
    for field in fields(Settings):
        value = getattr(loaded, field.name)
        assert value != field.default, field.name
        assert str(value) == environ[field.metadata["env"]], field.name
    assert loaded.tracker_retention_days == 7 and loaded.knowledge_dir == tmp_path


def test_settings_reads_the_process_environment_once_until_the_cache_is_cleared(clean_environment):
    assert settings().twilio_number == ""
    clean_environment.setenv("TWILIO_NUMBER", " +15005550006 ")
    assert settings().twilio_number == ""  # read once per process
    settings.cache_clear()
    assert settings().twilio_number == "+15005550006"  # surrounding spaces dropped
    assert settings() is settings()


def test_empty_means_off_for_twilio_and_the_default_for_numbers_and_paths():
    loaded = load({name: "" for name in env_names().values()})
    assert all(getattr(loaded, f.name) == "" for f in fields(Settings) if f.metadata["env"] in TWILIO)
    assert loaded.tracker_retention_days == 30 and loaded.knowledge_dir == PROJECT_ROOT / "knowledge"


@pytest.mark.parametrize("days", ["thirty", "7.5", "0", "-3"])
def test_a_bad_retention_period_is_a_clear_error(days):
    with pytest.raises(ValueError, match="TRACKER_RETENTION_DAYS must be"):
        load({"TRACKER_RETENTION_DAYS": days})


def test_a_placeholder_is_refused_by_name_without_showing_it():
    with pytest.raises(ValueError, match="TWILIO_AUTH_TOKEN is still a placeholder") as error:
        load({"TWILIO_AUTH_TOKEN": "change-me-twilio-token-1234"})
    assert "1234" not in str(error.value)


def test_the_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in env_names().values() if f"`{name}`" not in readme]
    assert not missing, f"README.md does not mention {missing}"


# -- one reader of the environment -------------------------------------------------------------

ENVIRONMENT_READERS = {"environ", "environb", "getenv", "getenvb"}


def environment_reads(path: Path):
    """(line, what) for every os.environ / os.getenv use in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_READERS:
            yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if alias.name in ENVIRONMENT_READERS:
                    yield node.lineno, f"from os import {alias.name}"


def test_the_checker_sees_every_way_of_reading_the_environment(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom os import environ\na = os.environ['A']\nb = os.getenv('B')\n")
    assert [line for line, _ in environment_reads(module)] == [2, 3, 4]


def test_only_bot_config_reads_the_environment():
    modules = sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "actions").rglob("*.py"))
    assert ROOT / "bot" / "config.py" in modules and len(modules) > 10
    reads = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in modules
        if path != ROOT / "bot" / "config.py"
        for line, what in environment_reads(path)
    ]
    assert not reads, "read the setting through bot.config.settings() instead:\n" + "\n".join(reads)
    assert list(environment_reads(ROOT / "bot" / "config.py")), "bot/config.py reads os.environ"


# -- Rasa's files at the root: nothing to set --------------------------------------------------


@pytest.mark.parametrize("name", ["credentials.yml", "endpoints.yml"])
def test_rasa_files_at_the_root_refer_to_no_environment_variable(name):
    code = "\n".join(line.split("#", 1)[0] for line in (ROOT / name).read_text(encoding="utf-8").splitlines())
    assert "${" not in code, f"{name}: Rasa would refuse to start while that variable is unset"


def test_rasa_creates_every_channel_from_credentials_yml_with_nothing_set(clean_environment):
    from rasa.core.run import create_http_input_channels

    channels = {type(c).__name__: c for c in create_http_input_channels(None, str(ROOT / "credentials.yml"))}
    assert {"SafeRestInput", "WidgetInput", "VolunteerInput", "TwilioSmsInput", "TwilioWhatsAppInput"} <= set(channels)
    assert channels["TwilioSmsInput"].enabled is False  # mounted, answering every request with 403
    assert channels["TwilioWhatsAppInput"].enabled is False


def test_rasa_reads_the_local_action_endpoint_with_nothing_set(clean_environment):
    from rasa.utils.endpoints import read_endpoint_config

    clean_environment.delenv("ACTION_ENDPOINT_URL", raising=False)
    endpoint = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert endpoint.url == "http://localhost:5055/webhook"  # scripts/run.sh's ACTIONS_PORT default
