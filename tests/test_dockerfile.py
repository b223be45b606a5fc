"""The Dockerfile, deploy/dockerfile_run.py (which runs its steps in CI) and gunicorn.conf.py stay in step."""

import importlib.util
import runpy
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


runner = _module("dockerfile_run", ROOT / "deploy" / "dockerfile_run.py")
healthcheck = _module("healthcheck", ROOT / "deploy" / "healthcheck.py")
STEPS = runner.parse((ROOT / "Dockerfile").read_text())


def test_every_instruction_of_the_dockerfile_is_one_the_runner_carries_out():
    assert STEPS and STEPS[0].keyword == "FROM"
    assert {step.keyword for step in STEPS} <= runner.SUPPORTED
    assert [step.keyword for step in STEPS].count("CMD") == 1


def test_ci_runs_the_dockerfile_steps():
    assert "deploy/dockerfile_run.py" in (ROOT / ".ci" / "run").read_text()


def test_the_parser_joins_continuations_and_skips_comments():
    steps = runner.parse('FROM python:3.11-slim\n# a comment\nRUN a \\\n  # inside\n  && b\nCMD ["x", "y"]\n')
    assert [(s.keyword, s.argument) for s in steps] == [
        ("FROM", "python:3.11-slim"), ("RUN", "a  && b"), ("CMD", '["x", "y"]')]
    assert runner.exec_form('["gunicorn", "portal.wsgi:application"]') == ["gunicorn", "portal.wsgi:application"]
    assert runner.env_pairs("A=1 B='two words'") == {"A": "1", "B": "two words"}


def test_the_app_runs_as_an_unprivileged_user_after_the_last_build_step():
    keywords = [step.keyword for step in STEPS]
    user_index = max(i for i, k in enumerate(keywords) if k == "USER")
    assert STEPS[user_index].argument not in ("root", "0")
    assert "RUN" not in keywords[user_index:], "build steps after USER would run unprivileged, or need root"
    assert "useradd" in " ".join(s.argument for s in STEPS if s.keyword == "RUN")


def test_the_health_check_asks_readyz_and_cmd_is_gunicorn_with_its_config_file():
    health = next(step for step in STEPS if step.keyword == "HEALTHCHECK")
    assert runner.healthcheck_command(health.argument) == ["python", "deploy/healthcheck.py"]
    assert "/readyz" in (ROOT / "deploy" / "healthcheck.py").read_text()
    cmd = runner.exec_form(next(step for step in STEPS if step.keyword == "CMD").argument)
    assert cmd[0] == "gunicorn" and not any(arg.startswith("--access-log") for arg in cmd)


def test_the_access_log_has_no_client_address_and_no_query_string():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    log_format = config["access_log_format"]
    for atom in ("%(h)s", "%(r)s", "%(q)s", "%(u)s"):  # address, request line with query, query, remote user
        assert atom not in log_format
    assert "forwarded" not in log_format.lower()
    assert "%(U)s" in log_format and "%(s)s" in log_format
    assert config["control_socket_disable"] is True


@pytest.mark.parametrize("path, expected", [("/healthz", 0), ("/no-such-page", 1)])
def test_the_health_check_script_passes_only_on_a_200(live_server, monkeypatch, path, expected):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "localhost")
    assert healthcheck.main(["healthcheck.py", live_server.url + path]) == expected


def test_the_health_check_sends_an_allowed_host_and_https_behind_a_proxy(monkeypatch):
    seen = {}

    class Response:
        status = 200

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(request, timeout):
        seen.update(url=request.full_url, host=request.get_header("Host"),
                    proto=request.get_header("X-forwarded-proto"))
        return Response()

    monkeypatch.setattr(healthcheck.urllib.request, "urlopen", urlopen)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "*,.help.example.com")
    monkeypatch.setenv("DJANGO_BEHIND_PROXY", "1")
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8000")
    assert healthcheck.main(["healthcheck.py"]) == 0
    assert seen == {"url": "http://127.0.0.1:8000/readyz", "host": "help.example.com", "proto": "https"}


def test_every_variable_the_balancer_config_reads_is_set_by_compose_and_by_the_scaleout_script():
    import re

    wanted = set(re.findall(r"\$\{(\w+)\}", (ROOT / "deploy" / "haproxy.cfg").read_text()))
    assert {"PORTAL_APP1", "PORTAL_APP2", "PORTAL_HEALTH_PATH"} <= wanted
    compose = (ROOT / "compose.yaml").read_text()
    balancer = compose[compose.index("\n  balancer:\n"):compose.index("\n  db:\n")]
    scaleout = (ROOT / "bench" / "scaleout.sh").read_text()
    for name in wanted:
        assert f"{name}:" in balancer, f"compose.yaml's balancer does not set {name}"
        assert f"{name}=" in scaleout, f"bench/scaleout.sh does not set {name}"
    assert "PORTAL_HEALTH_PATH: /readyz" in balancer
    assert "deploy/healthcheck.py" in compose and "./deploy/haproxy.cfg:" in compose
