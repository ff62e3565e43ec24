"""Lighthouse (mobile) on the log, course and dashboard pages, served as in production.

    python -m bench.lighthouse [--runs 2] [--patient patient2@example.com] [--keep]

Builds a scratch SQLite database seeded with `seed_demo`, collects the static
files into a scratch STATIC_ROOT (WhiteNoise's compressed manifest storage, as
after a deploy), serves the app with gunicorn and DEBUG off on 127.0.0.1, logs in
the demo patient and physician through the real login form, and runs npm's
`lighthouse` (installed from package.json / package-lock.json with `npm ci` when
node_modules is missing) against Debian's chromium. Prints the four category
scores, LCP and TBT per page and run, then the best run per page (by
performance): Lighthouse's simulated phone is sensitive to other load on the
machine, so take the best of several runs. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.load import free_port

ROOT = Path(__file__).resolve().parent.parent
CHROME_PATH = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu "
    "--disable-background-networking --disable-component-update"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
DEMO_PASSWORD = "tmo-demo-2026"
PHYSICIAN = "doctor@example.com"
# page → who is logged in for it
PAGES = (("/log/", "patient"), ("/course/", "patient"), ("/physician/", "physician"))


def ensure_lighthouse() -> Path:
    """The project's own lighthouse, installed exactly as package-lock.json pins it."""
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    if binary.exists():
        return binary
    if not shutil.which("npm"):
        sys.exit("bench.lighthouse needs node and npm: apt-get install -y nodejs npm")
    print("installing lighthouse (npm ci) …", flush=True)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    return binary


def production_env(scratch: Path) -> dict[str, str]:
    """Production settings on plain HTTP over loopback, on scratch data."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tmo_tracker.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "STATIC_ROOT": str(scratch / "static"),
        "CELERY_BROKER_DIR": str(scratch / "broker"),
        # Loopback has no TLS; SECURE_SSL=true would redirect every request to https.
        "SECURE_SSL": "false",
        # The demo physician has no TOTP device; production requires one.
        "PHYSICIAN_MFA_REQUIRED": "false",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def wait_for(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(
                f"gunicorn exited with status {proc.returncode}:\n{log.read_text()[-2000:]}"
            )
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer on {url} within {seconds:.0f} s")


def log_in(base: str, email: str) -> str:
    """Sign in through allauth's form; returns the Cookie header of that session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        sys.exit("no CSRF token on the login page")
    form = urllib.parse.urlencode(
        {
            "login": email,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": match.group(1),
        }
    ).encode()
    response = opener.open(f"{base}/accounts/login/", data=form, timeout=30)
    if "/accounts/login/" in response.geturl():
        sys.exit(f"logging in {email} failed")
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit(f"no session cookie after logging in {email}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def lighthouse(binary: Path, url: str, cookie: str, out: Path) -> dict:
    """One mobile Lighthouse run; returns the four scores (0-100), LCP and TBT (ms)."""
    subprocess.run(
        [
            str(binary),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
        ],
        cwd=ROOT,
        env={**os.environ, "CHROME_PATH": CHROME_PATH},
        check=True,
    )
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        sys.exit(f"lighthouse failed on {url}: {report['runtimeError']}")
    final = report.get("finalDisplayedUrl") or report.get("finalUrl", "")
    if urllib.parse.urlparse(final).path != urllib.parse.urlparse(url).path:
        sys.exit(f"lighthouse was sent from {url} to {final}: not logged in?")
    audits = report["audits"]
    return {
        **{c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES},
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "elements": audits.get("dom-size", {}).get("numericValue"),
    }


def row(label: str, r: dict) -> str:
    return (
        f"{label:<24} {r['performance']:>5} {r['accessibility']:>5} "
        f"{r['best-practices']:>5} {r['seo']:>5} {r['lcp'] / 1000:>7.2f} s "
        f"{r['tbt']:>6.0f} ms {r['elements'] or 0:>6.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="runs per page (best kept)")
    parser.add_argument(
        "--patient",
        default="patient2@example.com",
        help="demo patient for /log/ and /course/ (default: knee → ankle → foot, "
        "the demo's fullest timeline)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch folder and reports"
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not Path(CHROME_PATH).exists():
        sys.exit(f"{CHROME_PATH} is missing: apt-get install -y chromium")
    binary = ensure_lighthouse()

    scratch = Path(tempfile.mkdtemp(prefix="tmo-bench-lighthouse-"))
    env = production_env(scratch)
    print(f"scratch: {scratch}", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "seed_demo", "--patients", "10")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tmo_tracker.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        # Its log (Lighthouse's request for /robots.txt is a 404 warning) goes to
        # the scratch folder, not between the figures.
        stderr=(scratch / "gunicorn.log").open("w"),
    )
    results: dict[str, list[dict]] = {}
    try:
        wait_for(f"{base}/accounts/login/", server, scratch / "gunicorn.log")
        cookies = {
            "patient": log_in(base, args.patient),
            "physician": log_in(base, PHYSICIAN),
        }
        for run in range(1, args.runs + 1):
            for path, who in PAGES:
                out = scratch / f"report-{path.strip('/')}-{run}.json"
                results.setdefault(path, []).append(
                    lighthouse(binary, base + path, cookies[who], out)
                )
                print(f"run {run} {path} done", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    version = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(
        f"\nLighthouse {version}, mobile (simulated throttling), {CHROME_PATH}; "
        f"patient {args.patient}, DEBUG off, gunicorn, compressed manifest static files"
    )
    header = (
        f"{'page / run':<24} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5} "
        f"{'LCP':>9} {'TBT':>9} {'DOM':>6}"
    )
    print(header)
    for path, runs in results.items():
        for i, r in enumerate(runs, start=1):
            print(row(f"{path} #{i}", r))
    print(f"\nbest of {args.runs} (by performance)")
    print(header)
    for path, runs in results.items():
        print(row(path, max(runs, key=lambda r: (r["performance"], -r["tbt"]))))


if __name__ == "__main__":
    main()
