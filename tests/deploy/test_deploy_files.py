"""The files docs/deploy.md tells an operator to install, checked by their own tools: every
systemd unit under deploy/systemd with `systemd-analyze verify`, the Caddyfiles with
`caddy validate`, the nginx site with `nginx -t`. scripts/ensure-deploy-tools.sh installs
Debian's packages first when a tool is missing; the tests skip, saying why, only if that fails.

Each check reads a copy in which two things are moved, and only these: the install prefix
`/opt/polytask` points at this checkout (so `ExecStart=` names an executable that exists),
and nginx's certificate paths and log file point at a throwaway certificate and a temporary
directory. Any warning the tool prints fails the test, not only its exit status."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENSURE = ROOT / "scripts" / "ensure-deploy-tools.sh"
PREFIX = "/opt/polytask"
VENV = Path(sys.executable).parent.parent  # the checkout's .venv
UNITS = sorted((DEPLOY / "systemd").iterdir())


@pytest.fixture(scope="module")
def deploy_tools() -> None:
    done = subprocess.run(["bash", str(ENSURE)], capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        pytest.skip(f"scripts/ensure-deploy-tools.sh could not install the checkers: {done.stderr.strip()[-500:]}")


def _run(*command: str, cwd: Path | None = None, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
    if home is not None:
        env["HOME"] = str(home)
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd, env=env, check=False)


def test_the_units_are_the_ones_the_guide_names() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    assert {u.name for u in UNITS} == {
        "polytask.service",
        "polytask-serve@.service",
        "polytask-worker@.service",
        "polytask.target",
        "polytask-backup.service",
        "polytask-backup.timer",
    }
    for unit in UNITS:
        assert f"deploy/systemd/{unit.name}" in guide, unit.name


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
@pytest.mark.usefixtures("deploy_tools")
def test_systemd_analyze_verifies_the_unit(unit: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "opt" / "polytask"
    (prefix / ".venv" / "bin").mkdir(parents=True)
    (prefix / ".venv" / "bin" / "polytask").symlink_to(VENV / "bin" / "polytask")
    for source in UNITS:  # together, so that a timer finds its service
        text = source.read_text()
        assert PREFIX in text or source.suffix in (".target", ".timer"), f"{source.name} does not run {PREFIX}"
        (tmp_path / source.name).write_text(text.replace(PREFIX, str(prefix)))
    # A template is verified through an instance of it (port 8001, worker 1).
    name = unit.name.replace("@.", "@8001." if "serve" in unit.name else "@1.")
    done = _run("systemd-analyze", "verify", f"./{name}", cwd=tmp_path)
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 0, f"systemd-analyze verify {name}:\n{output}"
    assert not output, f"systemd-analyze verify {name} warns:\n{output}"


@pytest.mark.parametrize("name", ["Caddyfile", "Caddyfile.cluster"])
@pytest.mark.usefixtures("deploy_tools")
def test_caddy_validates_the_caddyfile(name: str, tmp_path: Path) -> None:
    done = _run("caddy", "validate", "--config", str(DEPLOY / "caddy" / name), "--adapter", "caddyfile", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Valid configuration" in done.stdout
    warnings = [line for line in done.stderr.splitlines() if '"level":"warn' in line or '"level":"error' in line]
    assert not warnings, warnings
    formatted = _run("caddy", "fmt", str(DEPLOY / "caddy" / name), home=tmp_path)
    assert formatted.stdout.strip() == (DEPLOY / "caddy" / name).read_text().strip(), "run `caddy fmt --overwrite`"


@pytest.mark.usefixtures("deploy_tools")
def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = _run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=polytask.example.com", "-keyout", str(key), "-out", str(cert),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    site = (DEPLOY / "nginx" / "polytask.conf").read_text()
    live = "/etc/letsencrypt/live/polytask.example.com/"
    assert f"{live}fullchain.pem" in site
    assert f"{live}privkey.pem" in site
    site = site.replace(f"{live}fullchain.pem", str(cert)).replace(f"{live}privkey.pem", str(key))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "polytask.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/polytask.conf;\n}}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    done = _run(nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", f"{tmp_path}/")
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
    assert "[warn]" not in done.stderr, done.stderr
