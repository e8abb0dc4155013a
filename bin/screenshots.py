"""The README's screenshots, made from the running application: `bin/screenshots`.

Seeds a throwaway demo database (SQLite, in a temporary folder: the demo's own var/demo.sqlite3 is
not touched), starts the web server on a free local port, and photographs with Debian's chromium
(never a downloaded browser), JavaScript off as a defender in Tor Browser would have it:
  docs/queue.png              the caseworker's queue, 1440 px wide
  docs/case-page.png          a case page at 1440 px (two columns)
  docs/case-page-phone.png    the same page at 390 px (one column)
  docs/public-form-ar.png     the Arabic public request form at 390 px, right to left
The demo users get a throwaway password for the session; their codes come from `manage.py totp_code`.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM = Path(os.environ.get("PROTECT_CHROMIUM", "/usr/bin/chromium"))
PASSWORD = secrets.token_urlsafe(12)
SET_PASSWORDS = f"""
from django.contrib.auth import get_user_model
for user in get_user_model().objects.filter(username__in=["caseworker", "coordinator"]):
    user.set_password({PASSWORD!r}); user.save(update_fields=["password"])
"""
# A case with a conversation, a note and a review to show: the demo's case waiting for an answer.
PICK_CASE = """
from grants.models import Grant
grant = (Grant.objects.filter(status="info_requested").first() or Grant.objects.filter(status="under_review").first()
         or Grant.objects.order_by("pk").first())
print(grant.reference)
"""


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    return result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own local server)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the web server did not answer at {url}")


def _log_in(page, base: str, env: dict[str, str], username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    page.get_by_label("Code").fill(_manage(env, "totp_code", username).strip().split()[-1])
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state("load")


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="protect-shots-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env |= {"PROTECT_ENV": "demo", "DATABASE_URL": f"sqlite:///{tmp}/shots.sqlite3", "PYTHONPATH": str(ROOT)}
        print("Seeding a throwaway demo database", file=sys.stderr)
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "seed_demo")  # prints the demo passwords: not needed, each user gets ours below
        _manage(env, "shell", "-c", SET_PASSWORDS)
        reference = _manage(env, "shell", "-c", PICK_CASE).strip().splitlines()[-1]
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_for(base + "/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
                wide = browser.new_context(java_script_enabled=False, viewport={"width": 1440, "height": 900},
                                           locale="en-GB")
                page = wide.new_page()
                _log_in(page, base, env, "caseworker")
                page.goto(base + "/cases/?scope=team")
                page.screenshot(path=str(DOCS / "queue.png"))
                page.goto(f"{base}/cases/{reference}/")
                page.screenshot(path=str(DOCS / "case-page.png"), full_page=True)
                phone = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844},
                                            locale="en-GB", storage_state=wide.storage_state())
                page = phone.new_page()
                page.goto(f"{base}/cases/{reference}/")
                page.screenshot(path=str(DOCS / "case-page-phone.png"))
                page.goto(base + "/ar/request/")
                page.screenshot(path=str(DOCS / "public-form-ar.png"), full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    for name in ("queue", "case-page", "case-page-phone", "public-form-ar"):
        print(DOCS / f"{name}.png")


if __name__ == "__main__":
    main()
