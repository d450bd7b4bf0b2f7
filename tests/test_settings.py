"""Settings come from the environment, refuse bad values at start, and serve in production."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers import free_port

PROJECT = Path(settings.BASE_DIR)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="tracker.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=clean, capture_output=True, text=True, timeout=60
    )


SETUP = "import django; django.setup(); from django.conf import settings; "


def test_with_debug_off_and_no_secret_key_it_refuses_to_start_and_says_why():
    result = run_python(SETUP, DEBUG="0", ALLOWED_HOSTS="pledges.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_with_debug_off_and_no_allowed_hosts_it_refuses_to_start_and_says_why():
    result = run_python(SETUP, DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_an_unreadable_debug_value_is_refused_naming_the_variable():
    result = run_python(SETUP, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a yes/no value" in result.stderr


def test_an_unreadable_database_url_is_refused_naming_the_variable():
    result = run_python(SETUP, DATABASE_URL="nosuchdb://x")
    assert result.returncode != 0
    assert "DATABASE_URL='nosuchdb://x' cannot be read" in result.stderr


def test_development_needs_no_variables_at_all():
    result = run_python(SETUP + "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


def test_production_settings_are_taken_from_the_environment():
    result = run_python(
        SETUP + "print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE,"
        " settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])",
        DEBUG="off",
        SECRET_KEY="s" * 50,
        ALLOWED_HOSTS="a.example.org, b.example.org",
        DATABASE_URL="postgres://tracker@db.example.org:5432/pledges",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False ['a.example.org', 'b.example.org'] True django.db.backends.postgresql pledges"
    )


def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout(tmp_path):
    code = SETUP + (
        "from django.db import connection; c = connection.cursor();"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0]);"
        "print(connection.transaction_mode)"
    )
    result = run_python(code, DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "5000", "IMMEDIATE"]


def test_gunicorn_serves_the_app_and_whitenoise_its_static_files(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="g" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",
        # Plain HTTP here, as behind a TLS proxy that redirects to HTTPS itself.
        SSL_REDIRECT="0",
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=PROJECT, env=env, check=True
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [bin_dir / "gunicorn", "tracker.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    with subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as server:
        try:
            page = get_when_up(f"{base}/accounts/login/")
            assert 'name="password"' in page
            stylesheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
            # Hashed by the manifest storage, served by whitenoise with a long cache life.
            assert (
                stylesheet.startswith("/static/tracker/tracker.")
                and stylesheet != "/static/tracker/tracker.css"
            )
            with urllib.request.urlopen(base + stylesheet, timeout=5) as css:
                assert css.status == 200 and "max-age=315360000" in css.headers["Cache-Control"]
        finally:
            server.terminate()


def get_when_up(url: str) -> str:
    for _ in range(150):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
                return response.read().decode()
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing answered at {url}")


def test_the_documented_production_settings_pass_the_deployment_checks():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env.update(
        DEBUG="0", SECRET_KEY="p" * 20 + "-production-like-" + "q" * 20, ALLOWED_HOSTS="pledges.example.org"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
