"""The production deployment files (deploy/), checked without Docker or a cluster.

Every YAML file parses; the base images are pinned (rasa/rasa:3.6.21, rasa/rasa-sdk:3.6.2)
and nothing uses :latest; Rasa and the action servers run 2+ replicas in compose and on
Kubernetes; secrets in examples are placeholders; the Rasa HTTP API is never on without
--auth-token (statically, and by running the image's entrypoint with a stub `rasa`); every
variable deploy/endpoints.yml uses, and every setting of bot/config.py a deployment sets, is
provided by the ConfigMap/Secret, .env.example and compose; the actions import nothing the
rasa-sdk image lacks; nginx's config is private and, where nginx is installed, passes `nginx -t`.
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

import pytest
import yaml

from bot.config import env_names

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / ".env.example"
ENDPOINTS = DEPLOY / "endpoints.yml"
ENTRYPOINT = DEPLOY / "rasa-entrypoint.sh"
NGINX_CONF = DEPLOY / "nginx" / "compose.conf"
DOCKERFILE_RASA = DEPLOY / "Dockerfile.rasa"
DOCKERFILE_ACTIONS = DEPLOY / "Dockerfile.actions"

# bot/config.py's settings a deployment sets by environment (ConfigMap/Secret, .env): all but
# KNOWLEDGE_DIR, which belongs to the image's layout (its Dockerfile sets it).
DEPLOYED_SETTINGS = set(env_names().values()) - {"KNOWLEDGE_DIR"}

RASA_BASE = "rasa/rasa:3.6.21"
SDK_BASE = "rasa/rasa-sdk:3.6.2"
RETENTION = ["python", "-m", "bot.retention", "purge", "--endpoints", "endpoints.yml"]

YAML_FILES = sorted(p for p in DEPLOY.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml"))
VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
COMPOSE_VAR = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])(.*))?\}$")
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|ACCOUNT_SID")
# What real credentials look like: Twilio account/API key SIDs, long hex tokens, private
# keys, cloud and GitHub keys. Placeholders look like "change-me-...".
REAL_SECRET = re.compile(
    r"\b(AC|SK)[0-9a-fA-F]{32}\b|\b[0-9a-fA-F]{32,}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bsk_live_[A-Za-z0-9]+"
)


# -- helpers ---------------------------------------------------------------------------------


def load_docs(path: Path) -> List[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def k8s_objects() -> List[Tuple[Path, Dict[str, Any]]]:
    return [
        (path, doc)
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in load_docs(path)
    ]


def k8s(kind: str, name: str) -> Dict[str, Any]:
    found = [doc for _, doc in k8s_objects() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected exactly one {kind}/{name} in deploy/k8s, found {len(found)}"
    return found[0]


def pod_spec(obj: Dict[str, Any]) -> Dict[str, Any]:
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return obj["spec"]["template"]["spec"]


def containers() -> Iterator[Tuple[str, Dict[str, Any]]]:
    for _, obj in k8s_objects():
        if obj["kind"] in ("Deployment", "CronJob", "StatefulSet", "DaemonSet", "Job"):
            spec = pod_spec(obj)
            for container in spec.get("initContainers", []) + spec["containers"]:
                yield f"{obj['kind']}/{obj['metadata']['name']}", container


def compose() -> Dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def compose_default(value: Any) -> str:
    """`${RASA_IMAGE:-abuse-support/rasa:local}` -> its default; `${X:?message}` (required,
    no default) -> ""; literals unchanged."""
    match = COMPOSE_VAR.match(str(value))
    if not match:
        return str(value)
    return match.group(3) or "" if match.group(2) in (":-", "-") else ""


def env_example() -> Dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f".env.example: not KEY=VALUE: {line!r}"
            assert " #" not in value, f".env.example: inline comment in {key} (compose keeps it in the value)"
            values[key.strip()] = value.strip()
    return values


def config_vars(path: Path) -> Set[str]:
    """${VAR}s a Rasa YAML file really uses (comments do not count)."""
    text = "\n".join(line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
    return set(VAR.findall(text))


def dockerfile_instructions(path: Path) -> List[Tuple[str, str]]:
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def final_stage(instructions: List[Tuple[str, str]]) -> List[Tuple[str, str]]:
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def copy_sources(instructions: List[Tuple[str, str]]) -> List[str]:
    sources = []
    for keyword, rest in instructions:
        if keyword == "COPY" and "--from=" not in rest:
            parts = [p for p in rest.split() if not p.startswith("--")]
            sources += parts[:-1]
    return sources


def rasa_command_lines() -> Iterator[Tuple[str, List[str]]]:
    """Every way the Rasa server's command line is given: image, compose, Kubernetes."""
    for keyword, rest in dockerfile_instructions(DOCKERFILE_RASA):
        if keyword in ("CMD", "ENTRYPOINT"):
            yield f"Dockerfile.rasa {keyword}", json.loads(rest) if rest.startswith("[") else shlex.split(rest)
    service = compose()["services"]["rasa"]
    for key in ("entrypoint", "command"):
        if key in service:
            value = service[key]
            yield f"compose rasa {key}", value if isinstance(value, list) else shlex.split(value)
    for where, container in containers():
        if where == "Deployment/rasa":
            yield "k8s rasa", list(container.get("command", [])) + list(container.get("args", []))


def api_guarded(tokens: List[str]) -> bool:
    flat = " ".join(tokens)
    return "--enable-api" not in flat or "--auth-token" in flat


# -- every YAML file -------------------------------------------------------------------------


def test_the_deploy_folder_has_its_yaml_files():
    names = {p.relative_to(DEPLOY).as_posix() for p in YAML_FILES}
    for expected in (
        "docker-compose.yml",
        "k8s/namespace.yaml",
        "k8s/configmap.yaml",
        "k8s/secret.example.yaml",
        "k8s/rasa-deployment.yaml",
        "k8s/actions-deployment.yaml",
        "k8s/services.yaml",
        "k8s/ingress.yaml",
        "k8s/retention-cronjob.yaml",
        "k8s/kustomization.yaml",
    ):
        assert expected in names


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_yaml_parses(path):
    documents = load_docs(path)
    assert documents, f"{path.name}: no YAML documents"
    assert all(isinstance(doc, dict) for doc in documents), f"{path.name}: a document is not a mapping"
    if path.parent == K8S and path.name != "kustomization.yaml":
        for doc in documents:
            assert {"apiVersion", "kind", "metadata"} <= set(doc), f"{path.name}: not a Kubernetes object"
            if doc["kind"] != "Namespace":
                assert doc["metadata"].get("namespace") == "abuse-support", f"{path.name}: {doc['kind']} namespace"


# -- images ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dockerfile, base", [(DOCKERFILE_RASA, RASA_BASE), (DOCKERFILE_ACTIONS, SDK_BASE)], ids=["rasa", "actions"]
)
def test_base_images_are_pinned(dockerfile, base):
    instructions = dockerfile_instructions(dockerfile)
    stages = {
        rest.split()[2].lower()
        for keyword, rest in instructions
        if keyword == "FROM" and len(rest.split()) == 3 and rest.split()[1].upper() == "AS"
    }
    bases = [rest.split()[0] for keyword, rest in instructions if keyword == "FROM"]
    assert bases and all(image == base for image in bases if image.lower() not in stages), bases


def image_refs() -> Iterator[Tuple[str, str]]:
    for name, service in compose()["services"].items():
        if "image" in service:
            yield f"compose {name}", compose_default(service["image"])
    for where, container in containers():
        yield where, container["image"]
    for keyword, rest in dockerfile_instructions(DOCKERFILE_RASA) + dockerfile_instructions(DOCKERFILE_ACTIONS):
        if keyword == "FROM":
            yield "Dockerfile FROM", rest.split()[0]


@pytest.mark.parametrize("where, image", list(image_refs()))
def test_every_image_has_a_tag_and_it_is_not_latest(where, image):
    name, _, tag = image.rpartition(":")
    assert name and "/" not in tag, f"{where}: {image} has no tag"
    assert tag.lower() != "latest", f"{where}: {image}"


def test_no_latest_anywhere():
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            assert not re.search(r":latest\b", path.read_text(encoding="utf-8", errors="replace")), path


def test_the_retention_job_runs_the_rasa_image():
    images = dict(containers())
    assert images["CronJob/retention-purge"]["image"] == images["Deployment/rasa"]["image"]
    services = compose()["services"]
    assert services["retention"]["image"] == services["rasa"]["image"]


# -- replicas --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rasa", "actions"])
def test_at_least_two_replicas(name):
    assert k8s("Deployment", name)["spec"]["replicas"] >= 2
    assert compose()["services"][name]["deploy"]["replicas"] >= 2


# -- secrets ---------------------------------------------------------------------------------


def placeholder(value: Any) -> bool:
    return value in ("", None) or str(value).startswith("change-me")


def test_the_example_secret_holds_only_placeholders():
    secret = k8s("Secret", "assistant-secrets")
    assert "data" not in secret, "use stringData with placeholders, not base64 data"
    for key, value in secret["stringData"].items():
        assert placeholder(value), f"secret.example.yaml: {key} does not look like a placeholder"


def test_env_example_holds_only_placeholders_for_secrets():
    for key, value in env_example().items():
        if SECRET_NAME.search(key):
            assert placeholder(value), f".env.example: {key} does not look like a placeholder"


def test_the_secret_example_is_never_applied_by_kustomize():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    assert "secret.example.yaml" not in kustomization["resources"]
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert listed == on_disk, f"kustomization.yaml resources differ from the files: {listed ^ on_disk}"


def test_compose_takes_secrets_from_the_environment_only():
    for name, service in compose()["services"].items():
        environment = service.get("environment") or {}
        for key, value in environment.items():
            if SECRET_NAME.search(key):
                assert COMPOSE_VAR.match(str(value)), f"compose {name}: {key} is a literal, not ${{...}}"
                assert placeholder(compose_default(value)), f"compose {name}: {key} has a real-looking default"


def test_no_file_under_deploy_holds_something_that_looks_like_a_real_secret():
    for path in DEPLOY.rglob("*"):
        if path.is_file() and path.name != ".env":  # deploy/.env is the operator's own (git-ignored)
            match = REAL_SECRET.search(path.read_text(encoding="utf-8", errors="replace"))
            assert not match, f"{path.relative_to(ROOT)}: {match.group(0)[:8]}... looks like a real secret"


def test_the_build_contexts_leave_secrets_and_local_state_out():
    for ignore in (DEPLOY / "Dockerfile.rasa.dockerignore", DEPLOY / "Dockerfile.actions.dockerignore"):
        patterns = {
            line.strip()
            for line in ignore.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        }
        assert {"**/.env", "**/.env.*", ".git", ".venv", "models"} <= patterns, ignore.name
        needed = {
            source.rstrip("/").split("/")[0]
            for source in copy_sources(dockerfile_instructions(DEPLOY / ignore.name.replace(".dockerignore", "")))
        }
        assert not needed & patterns, f"{ignore.name} excludes what the image copies: {needed & patterns}"


# -- what goes into the images ---------------------------------------------------------------


def test_the_rasa_image_has_the_custom_code_the_model_and_the_production_endpoints():
    instructions = dockerfile_instructions(DOCKERFILE_RASA)
    runtime = final_stage(instructions)
    sources = set(copy_sources(runtime))
    assert {
        "bot/",
        "knowledge/",
        "widget/",
        "config.yml",
        "domain.yml",
        "credentials.yml",
        "deploy/endpoints.yml",
    } <= sources
    copies = [rest for keyword, rest in runtime if keyword == "COPY"]
    assert any(rest.startswith("deploy/endpoints.yml ") and rest.endswith(" endpoints.yml") for rest in copies)
    assert any("--from=" in rest and "models/current.tar.gz" in rest for rest in copies), "no trained model"
    train = " ".join(rest for keyword, rest in instructions[: instructions.index(runtime[0])] if keyword == "RUN")
    assert "rasa train" in train and "--fixed-model-name current" in train
    cmd = json.loads(next(rest for keyword, rest in runtime if keyword == "CMD"))
    assert cmd[:2] == ["run", "--model"] and cmd[2] == "models/current.tar.gz"
    assert {"--endpoints", "endpoints.yml", "--credentials", "credentials.yml"} <= set(cmd)
    assert ("USER", "1001") in runtime


def test_the_actions_image_has_actions_bot_knowledge_and_the_missing_packages():
    instructions = dockerfile_instructions(DOCKERFILE_ACTIONS)
    assert {"actions/", "bot/", "knowledge/"} <= set(copy_sources(instructions))
    install = " ".join(rest for keyword, rest in instructions if keyword == "RUN")
    assert "pydantic==1.10.9" in install and "PyYAML==6.0.3" in install
    cmd = json.loads(next(rest for keyword, rest in instructions if keyword == "CMD"))
    assert cmd[:3] == ["start", "--actions", "actions"] and "--debug" not in cmd
    assert [rest for keyword, rest in instructions if keyword == "USER"][-1] == "1001"


def test_every_file_the_images_copy_exists():
    for dockerfile in (DOCKERFILE_RASA, DOCKERFILE_ACTIONS):
        for source in copy_sources(dockerfile_instructions(dockerfile)):
            if source == "deploy/endpoints.yml" and not ENDPOINTS.exists():
                continue  # written separately; test_endpoint_variables_are_provided says so
            assert (ROOT / source).exists(), f"{dockerfile.name}: COPY {source}: not in the repository"


def _distribution_closure(names: Set[str]) -> Set[str]:
    from packaging.requirements import Requirement

    norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()  # noqa: E731
    seen: Set[str] = set()
    todo = [norm(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requirements = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requirements:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(norm(requirement.name))
    return seen


def _top_level_modules(distribution: str) -> Set[str]:
    """Top-level modules a distribution installs, from its file list (Python 3.10's
    packages_distributions() only reads top_level.txt, which many wheels lack)."""
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        return set()
    tops = set()
    for file in files:
        top = file.parts[0]
        if not top.endswith((".dist-info", ".egg-info", ".data", ".pth")) and top not in ("..", "__pycache__"):
            tops.add(top[:-3] if top.endswith(".py") else top.split(".")[0])
    return tops


def test_the_actions_need_nothing_the_rasa_sdk_image_lacks():
    """Import every actions module with Rasa itself unavailable (it is not in the rasa-sdk image),
    then check each third-party module it brought in comes from rasa-sdk's own dependencies
    or the two packages Dockerfile.actions installs."""
    probe = (
        "import importlib, json, pkgutil, sys\n"
        "before = set(sys.modules)\n"
        "sys.modules['rasa'] = None\n"
        "import actions\n"
        "for m in pkgutil.walk_packages(actions.__path__, 'actions.'):\n"
        "    importlib.import_module(m.name)\n"
        "new = {n.split('.')[0] for n in set(sys.modules) - before if sys.modules[n] is not None}\n"
        "print(json.dumps(sorted(new)))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"importing the actions without Rasa failed:\n{run.stderr[-2000:]}"
    modules = set(json.loads(run.stdout.strip().splitlines()[-1]))
    # cython_runtime: a pseudo-module every Cython extension registers; not a package.
    third_party = {
        m
        for m in modules - set(sys.stdlib_module_names) - {"actions", "bot", "cython_runtime"}
        if not m.startswith("_")
    }
    assert "rasa_sdk" in third_party, "the probe did not import the actions"
    allowed = set().union(*(_top_level_modules(d) for d in _distribution_closure({"rasa-sdk", "pydantic", "PyYAML"})))
    outside = sorted(third_party - allowed)
    assert not outside, f"the actions import modules the rasa-sdk image would not have: {outside}"


# -- the Rasa server's command line ----------------------------------------------------------


@pytest.mark.parametrize("where, tokens", list(rasa_command_lines()), ids=lambda v: v if isinstance(v, str) else "")
def test_rasa_never_passes_enable_api_without_auth_token(where, tokens):
    assert api_guarded(tokens), f"{where}: --enable-api without --auth-token: {tokens}"
    assert "--debug" not in tokens and "-vv" not in tokens, f"{where}: debug logging logs message text"


def test_the_rasa_image_starts_through_the_guarding_entrypoint():
    entrypoint = next(
        json.loads(rest)
        for keyword, rest in final_stage(dockerfile_instructions(DOCKERFILE_RASA))
        if keyword == "ENTRYPOINT"
    )
    assert entrypoint[-1] == "/usr/local/bin/rasa-entrypoint.sh"
    assert "COPY deploy/rasa-entrypoint.sh /usr/local/bin/rasa-entrypoint.sh" in DOCKERFILE_RASA.read_text()
    # Kubernetes and compose must not bypass it for the server.
    rasa = next(c for where, c in containers() if where == "Deployment/rasa")
    assert "command" not in rasa and "args" not in rasa
    assert "entrypoint" not in compose()["services"]["rasa"] and "command" not in compose()["services"]["rasa"]


# -- the entrypoint, run with a stub `rasa` --------------------------------------------------

STUB = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "$STUB_OUT"
echo "TWILIO_ACCOUNT_SID=${TWILIO_ACCOUNT_SID-unset}" > "$STUB_OUT.env"
"""
SERVER = [
    "run",
    "--model",
    "models/current.tar.gz",
    "--endpoints",
    "endpoints.yml",
    "--credentials",
    "credentials.yml",
    "--port",
    "5005",
]
TOKEN = "0123456789abcdef" * 4


@pytest.fixture
def entrypoint(tmp_path):
    if not shutil.which("bash"):
        pytest.skip("bash not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "rasa").write_text(STUB)
    (bin_dir / "rasa").chmod(0o755)
    app = tmp_path / "app"
    app.mkdir()
    if ENDPOINTS.exists():
        shutil.copy(ENDPOINTS, app / "endpoints.yml")
    else:
        (app / "endpoints.yml").write_text("action_endpoint:\n  url: ${ACTION_ENDPOINT_URL}\n")
    shutil.copy(ROOT / "credentials.yml", app / "credentials.yml")
    out = tmp_path / "args.txt"
    base = {"PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin", "STUB_OUT": str(out)}
    for var in config_vars(app / "endpoints.yml"):
        base[var] = "secret-db-value" if var == "DB_PASSWORD" else "x"

    def run(*args: str, unset: Tuple[str, ...] = (), **env: str) -> Tuple[int, str, Optional[List[str]], str]:
        environment = {**base, **env}
        for name in unset:
            environment.pop(name, None)
        if out.exists():
            out.unlink()
        done = subprocess.run(
            ["bash", str(ENTRYPOINT), *(args or SERVER)],
            cwd=app,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        called = out.read_text().splitlines() if out.exists() else None
        env_seen = Path(f"{out}.env").read_text() if out.exists() else ""
        return done.returncode, done.stderr, called, env_seen

    return run


def test_entrypoint_runs_the_server_with_the_api_off_and_cors_from_the_environment(entrypoint):
    code, err, called, _ = entrypoint(CORS_ORIGINS="https://www.example.org, https://help.example.net")
    assert code == 0, err
    assert called[: len(SERVER)] == SERVER
    assert called[len(SERVER) :] == ["--cors", "https://www.example.org", "https://help.example.net"]
    assert "--enable-api" not in called and "--auth-token" not in called


def test_entrypoint_without_cors_origins_passes_no_cors(entrypoint):
    code, err, called, _ = entrypoint(CORS_ORIGINS="")
    assert code == 0, err
    assert called == SERVER


def test_entrypoint_starts_the_server_with_the_project_settings_unset(entrypoint):
    # bot/config.py defaults them (empty Twilio settings: SMS and WhatsApp off), so the
    # entrypoint neither requires nor invents them.
    code, err, called, env_seen = entrypoint(unset=tuple(env_names().values()))
    assert code == 0, err
    assert called == SERVER
    assert env_seen.strip() == "TWILIO_ACCOUNT_SID=unset"


@pytest.mark.parametrize("token", ["", "short-token", "change-me-rasa-token-0000000000000000"])
def test_entrypoint_refuses_the_api_without_a_proper_token(entrypoint, token):
    code, err, called, _ = entrypoint(RASA_ENABLE_API="true", RASA_AUTH_TOKEN=token)
    assert code != 0 and called is None
    assert "RASA_AUTH_TOKEN" in err


def test_entrypoint_enables_the_api_only_with_the_token(entrypoint):
    code, err, called, _ = entrypoint(RASA_ENABLE_API="true", RASA_AUTH_TOKEN=TOKEN)
    assert code == 0, err
    assert called[-3:] == ["--enable-api", "--auth-token", TOKEN]
    assert TOKEN not in err, "the token must not be printed"


@pytest.mark.parametrize("extra", [["--enable-api"], ["--auth-token", TOKEN], ["--debug"], ["-vv"], ["--cors", "*"]])
def test_entrypoint_refuses_flags_that_bypass_the_guards(entrypoint, extra):
    code, _, called, _ = entrypoint(*SERVER, *extra)
    assert code != 0 and called is None


@pytest.mark.parametrize("env", [{"LOG_LEVEL": "DEBUG"}, {"LOG_LEVEL_LIBRARIES": "INFO"}, {"RASA_ENABLE_API": "maybe"}])
def test_entrypoint_refuses_settings_that_leak_or_are_unclear(entrypoint, env):
    code, _, called, _ = entrypoint(**env)
    assert code != 0 and called is None


def test_entrypoint_names_missing_variables_without_printing_values(entrypoint):
    if not ENDPOINTS.exists():
        pytest.skip("deploy/endpoints.yml not written yet")
    code, err, called, _ = entrypoint(unset=("DB_HOST",))
    assert code != 0 and called is None
    assert "DB_HOST" in err and "secret-db-value" not in err


def test_entrypoint_refuses_placeholder_values(entrypoint):
    if not ENDPOINTS.exists():
        pytest.skip("deploy/endpoints.yml not written yet")
    code, err, called, _ = entrypoint(DB_PASSWORD="change-me-db-password")
    assert code != 0 and called is None and "DB_PASSWORD" in err


def test_entrypoint_passes_other_rasa_commands_through(entrypoint):
    code, err, called, _ = entrypoint("--version", CORS_ORIGINS="https://www.example.org")
    assert code == 0, err
    assert called == ["--version"]


# -- environment variables -------------------------------------------------------------------


def test_endpoint_variables_are_provided_everywhere():
    if not ENDPOINTS.exists():
        pytest.skip("deploy/endpoints.yml does not exist yet, so there are no variables to check")
    needed = config_vars(ENDPOINTS) | config_vars(ROOT / "credentials.yml") | DEPLOYED_SETTINGS | {"CORS_ORIGINS"}
    assert config_vars(ENDPOINTS), "deploy/endpoints.yml uses no ${VAR}s?"
    configmap = set(k8s("ConfigMap", "assistant-config")["data"])
    secret = set(k8s("Secret", "assistant-secrets")["stringData"])
    assert not configmap & secret, f"in both the ConfigMap and the Secret: {configmap & secret}"
    assert needed <= configmap | secret, f"not in the ConfigMap or the Secret: {needed - configmap - secret}"
    assert needed <= set(env_example()), f"not in .env.example: {needed - set(env_example())}"
    for service in ("rasa", "retention"):
        environment = set(compose()["services"][service]["environment"])
        assert needed <= environment, f"compose {service} lacks {needed - environment}"
    for where, container in containers():
        if where in ("Deployment/rasa", "CronJob/retention-purge"):
            refs = {(next(iter(ref)), ref[next(iter(ref))]["name"]) for ref in container["envFrom"]}
            assert refs == {("configMapRef", "assistant-config"), ("secretRef", "assistant-secrets")}, where


def test_the_images_set_the_knowledge_dir_they_copy():
    assert "KNOWLEDGE_DIR" not in DEPLOYED_SETTINGS
    for dockerfile in (DOCKERFILE_RASA, DOCKERFILE_ACTIONS):
        stage = final_stage(dockerfile_instructions(dockerfile))
        assert ("WORKDIR", "/app") in stage and ("COPY", "knowledge/ knowledge/") in stage, dockerfile.name
        assert any(
            k == "ENV" and re.search(r"\bKNOWLEDGE_DIR=/app/knowledge\b", rest) for k, rest in stage
        ), dockerfile.name


def test_env_example_documents_every_variable_compose_reads():
    text = COMPOSE.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    assert used <= set(
        env_example()
    ), f"compose reads variables .env.example does not list: {used - set(env_example())}"


def test_the_action_servers_get_no_secrets():
    assert not any(SECRET_NAME.search(key) for key in compose()["services"]["actions"].get("environment") or {})
    actions = next(c for where, c in containers() if where == "Deployment/actions")
    assert "envFrom" not in actions and not any(SECRET_NAME.search(e["name"]) for e in actions.get("env", []))


# -- Kubernetes ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, port, path", [("rasa", 5005, "/"), ("actions", 5055, "/health")])
def test_k8s_deployments_probe_run_as_non_root_and_have_resources(name, port, path):
    deployment = k8s("Deployment", name)
    spec = pod_spec(deployment)
    assert spec["securityContext"]["runAsNonRoot"] is True
    (container,) = spec["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe in ("readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == path and ports.get(get["port"], get["port"]) == port, probe
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"cpu", "memory"} <= set(container["resources"]["requests"]) <= set(container["resources"]["limits"])
    service = k8s("Service", name)
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    assert [p["port"] for p in service["spec"]["ports"]] == [port]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]


def test_only_rasa_webhooks_are_public():
    ingress = k8s("Ingress", "assistant")
    backends = [
        (p["path"], p["backend"]["service"]["name"]) for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]
    ]
    assert backends == [("/webhooks", "rasa")]
    assert ingress["spec"]["tls"][0]["secretName"]
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/enable-access-log"] == "false"


def test_retention_runs_daily():
    job = k8s("CronJob", "retention-purge")
    minute, hour, day, month, weekday = job["spec"]["schedule"].split()
    assert minute.isdigit() and hour.isdigit() and (day, month, weekday) == ("*", "*", "*")
    assert job["spec"]["concurrencyPolicy"] == "Forbid"
    (container,) = pod_spec(job)["containers"]
    assert container["command"] == RETENTION


@pytest.mark.skipif(not shutil.which("kubectl"), reason="kubectl not installed")
def test_kustomize_builds():
    run = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    kinds = [doc["kind"] for doc in yaml.safe_load_all(run.stdout) if doc]
    assert "Secret" not in kinds and kinds.count("Deployment") == 2 and "CronJob" in kinds


# -- compose ---------------------------------------------------------------------------------


def test_compose_publishes_only_nginx_port_80():
    services = compose()["services"]
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}
    assert list(published) == ["nginx"]
    (mapping,) = published["nginx"]
    assert str(mapping).endswith(":80") and "5055" not in str(mapping)


def test_compose_services():
    services = compose()["services"]
    assert {"postgres", "redis", "rasa", "actions", "nginx", "retention"} <= set(services)
    assert services["postgres"]["image"] == "postgres:15" and "healthcheck" in services["postgres"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert services["redis"]["image"] == "redis:7" and "--requirepass" in " ".join(services["redis"]["command"])
    assert services["nginx"]["image"] == "nginx:1.25"
    assert "./nginx/compose.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]
    for name in ("rasa", "retention"):
        build = services[name]["build"]
        assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE_RASA
    build = services["actions"]["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE_ACTIONS
    for dependency in ("postgres", "redis"):
        assert services["rasa"]["depends_on"][dependency]["condition"] == "service_healthy"


def test_compose_retention_loop_runs_the_purge_daily_and_is_valid_bash():
    service = compose()["services"]["retention"]
    assert service["entrypoint"] == ["/bin/bash", "-c"]
    script = service["command"][0].replace("$$", "$")  # compose's escape for a literal $
    assert " ".join(RETENTION) in script and "86400" in script
    check = subprocess.run(["bash", "-n", "-c", script], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


# -- nginx -----------------------------------------------------------------------------------


def nginx_block(text: str, header: str) -> str:
    start = text.index(header)
    depth, i = 0, text.index("{", start)
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i : j + 1]
    raise AssertionError(f"unbalanced block {header}")


def test_nginx_upstreams_fail_over():
    text = NGINX_CONF.read_text(encoding="utf-8")
    for name, port in (("rasa", 5005), ("actions", 5055)):
        block = nginx_block(text, f"upstream {name} ")
        assert re.search(rf"server {name}:{port} [^;]*max_fails=\d+[^;]*fail_timeout=\d+s;", block), name
        assert re.search(r"keepalive \d+;", block), name
    assert text.count("proxy_next_upstream error timeout http_502 http_503;") == 2
    assert "listen 5055;" in text and "client_max_body_size 64k;" in text


def test_nginx_logs_no_query_strings_addresses_or_bodies():
    text = "\n".join(line.split("#", 1)[0] for line in NGINX_CONF.read_text(encoding="utf-8").splitlines())
    formats = re.findall(r"log_format\s+(\w+)\s+((?:'[^']*'\s*)+);", text)
    assert formats, "no log_format"
    for _, body in formats:
        for leak in (
            "$request ",
            "$request'",
            "$request_uri",
            "$args",
            "$query_string",
            "$arg_",
            "$remote_addr",
            "$http_x_forwarded_for",
            "$http_user_agent",
            "$http_referer",
            "$request_body",
            "$binary_remote_addr",
        ):
            assert leak not in body, f"log_format logs {leak.strip()}"
    names = {name for name, _ in formats}
    for target in re.findall(r"access_log\s+([^;]+);", text):
        parts = target.split()
        assert parts == ["off"] or (len(parts) >= 2 and parts[1] in names), f"access_log {target}"


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx not installed: syntax not checked")
def test_nginx_config_syntax(tmp_path):
    # The upstream names only resolve inside the compose network, and the pid file lives in
    # the container: point them at this machine for the check.
    text = NGINX_CONF.read_text(encoding="utf-8")
    text = text.replace("server rasa:5005", "server 127.0.0.1:5005").replace(
        "server actions:5055", "server 127.0.0.1:5055"
    )
    text = text.replace("pid /var/run/nginx.pid;", f"pid {tmp_path}/nginx.pid;")
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    run = subprocess.run(
        ["nginx", "-t", "-q", "-p", str(tmp_path), "-c", str(conf), "-e", "/dev/stderr"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
