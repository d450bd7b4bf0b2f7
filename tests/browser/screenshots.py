"""Retake the README's screenshot of the dashboard, on the seed data.

    make screenshots          (or: .venv/bin/python -m tests.browser.screenshots)

Serves the app from a throwaway SQLite database holding the seed statement, logs in as
the demo manager in Debian's Chromium, and saves tests/browser/screenshots/dashboard.png.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import free_port

PROJECT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "screenshots" / "dashboard.png"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pledge-screenshots-") as folder:
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{folder}/screenshots.sqlite3"}
        manage = [sys.executable, "manage.py"]
        for command in (
            ["migrate", "-v0"],
            ["loaddata", "japan-unsc-2023-12-07", "-v0"],
            ["create_demo_accounts"],
        ):
            subprocess.run(manage + command, cwd=PROJECT, env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"{base}/accounts/login/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900}, base_url=base)
                page.goto("/accounts/login/")
                page.get_by_label("Username").fill("manager")
                page.get_by_label("Password").fill("manager-demo-password")
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url("**/dashboard/")
                OUTPUT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=OUTPUT, full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"Saved {OUTPUT.relative_to(PROJECT)}")


def wait_for(url: str) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"The app did not answer at {url}.")


if __name__ == "__main__":
    main()
