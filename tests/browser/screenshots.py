"""Retake the README's screenshots, on the seed data.

    make screenshots          (or: .venv/bin/python -m tests.browser.screenshots)

Serves the app from a throwaway SQLite database holding the seed statement and its
sourced follow-up (as `make run` loads them), logs in as the demo manager in Debian's
Chromium, and saves into tests/browser/screenshots/: the dashboard, the pledge list, the
cybercrime pledge's page, and Japan's briefing as printed.
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
FOLDER = Path(__file__).resolve().parent / "screenshots"
# name: (address, what to wait for, as printed?)
SHOTS = {
    "dashboard": ("/dashboard/", "#compliance-heading", False),
    "pledge-list": ("/pledges/", "#results", False),
    "pledge": ("/pledges/3/", "#timeline", False),
    "briefing": ("/entities/1/briefing/", ".briefing-summary", True),
}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pledge-screenshots-") as folder:
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{folder}/screenshots.sqlite3"}
        manage = [sys.executable, "manage.py"]
        for command in (
            ["migrate", "-v0"],
            ["load_seed"],
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
                FOLDER.mkdir(parents=True, exist_ok=True)
                for name, (address, ready, printed) in SHOTS.items():
                    page.goto(address)
                    page.locator(ready).wait_for()
                    if printed:
                        page.emulate_media(media="print")
                        page.set_viewport_size({"width": 760, "height": 900})
                    page.screenshot(path=FOLDER / f"{name}.png", full_page=True)
                    page.emulate_media(media="screen")
                    page.set_viewport_size({"width": 1280, "height": 900})
                    print(f"Saved {(FOLDER / name).relative_to(PROJECT)}.png")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


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
