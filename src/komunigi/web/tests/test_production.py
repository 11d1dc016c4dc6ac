"""Production settings, `check --deploy`, `komunigi serve` and /healthz, in real processes."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from komunigi.testing import free_port

PRODUCTION_ENV = {
    "KOMUNIGI_ENV": "production",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "komunigi.example.org,127.0.0.1",
    "SMTP_HOST": "smtp.example.org",
}


def process_env(env: dict[str, str]) -> dict[str, str]:
    """This process's environment (PATH, …) with ``env`` on top, minus test-only switches."""
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**inherited, **env}


def komunigi(*args: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "komunigi", *args],
        env=process_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def production_env(tmp_path: Path) -> dict[str, str]:
    return {
        **PRODUCTION_ENV,
        "KOMUNIGI_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }


def test_check_deploy_passes_with_production_settings(production_env: dict[str, str]) -> None:
    result = komunigi("check", "--deploy", "--fail-level", "WARNING", env=production_env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY is required when KOMUNIGI_ENV=production"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS is required when KOMUNIGI_ENV=production"),
    ],
)
def test_production_refuses_to_start_without_required_settings(
    production_env: dict[str, str], missing: str, message: str
) -> None:
    env = {**production_env, missing: ""}
    result = komunigi("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("KOMUNIGI_ENV", "staging", "KOMUNIGI_ENV must be one of development, production"),
        ("SMTP_PORT", "twenty-five", "SMTP_PORT must be a whole number, not 'twenty-five'"),
        ("SMTP_STARTTLS", "maybe", "SMTP_STARTTLS must be true or false, not 'maybe'"),
    ],
)
def test_bad_settings_values_are_named_at_start_up(
    production_env: dict[str, str], variable: str, value: str, message: str
) -> None:
    result = komunigi("check", env={**production_env, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_development_keeps_its_generated_secret_key(tmp_path: Path) -> None:
    env = {"KOMUNIGI_DATA_DIR": str(tmp_path), "KOMUNIGI_ENV": "development", "SECRET_KEY": ""}
    for _ in range(2):
        assert komunigi("check", env=env).returncode == 0
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text()) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


@pytest.fixture
def served(production_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, dict]]:
    """`komunigi serve` (gunicorn) with production settings, after migrate and collectstatic."""
    env = {
        **production_env,
        "STATIC_ROOT": str(tmp_path / "static"),
        "TRUST_X_FORWARDED_PROTO": "true",  # as behind a TLS-terminating proxy
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = komunigi(*command, env=env, timeout=120)
        assert result.returncode == 0, result.stderr
    yield from _serve(env)


def _serve(env: dict[str, str]) -> Iterator[tuple[str, dict]]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "komunigi", "serve", "--bind", f"127.0.0.1:{port}"],
        env=process_env(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        yield base, env
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - local URL
        except urllib.error.HTTPError:
            return  # it answers, even if not 200
        except OSError:
            time.sleep(0.2)
        else:
            return
    raise AssertionError(f"{base} did not answer within 30 s")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # report redirects as they are instead of following them


_opener = urllib.request.build_opener(_NoRedirect)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - local URL
    try:
        with _opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_serve_answers_health_pages_and_static_files(served: tuple[str, dict]) -> None:
    base, _ = served
    # Load balancers probe over plain HTTP: /healthz is exempt from the HTTPS redirect.
    assert get(base + "/healthz")[::2] == (200, b'{"status": "ok"}')
    assert get(base + "/en/")[0] == 301

    status, headers, body = get(base + "/en/", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert b"Pooling the development of our shared software" in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"

    stylesheet = body.decode().split('rel="stylesheet" href="')[1].split('"')[0]
    # WhiteNoise serves the hashed copy that collectstatic made, cached for ever.
    assert stylesheet.startswith("/static/web/site.")
    assert stylesheet != "/static/web/site.css"
    status, headers, css = get(base + stylesheet, {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert b"--brand:" in css


def test_healthz_answers_503_when_the_database_is_unreachable(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    env = {
        **production_env,
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{free_port()}/komunigi",
        "DATABASE_CONN_MAX_AGE": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    for base, _ in _serve({**env, "SECURE_SSL_REDIRECT": "false"}):
        status, headers, body = get(base + "/healthz")
        assert status == 503
        assert body == b'{"status": "unavailable", "database": "unreachable"}'
        assert "no-cache" in headers["Cache-Control"]
