"""The server's signing key (POLYTASK_SECRET_KEY, or one generated into the data directory)
and the signed values of the sign-in cookie."""

from __future__ import annotations

import stat
from pathlib import Path

from pydantic import SecretStr

from polytask.core.settings import Settings
from polytask.core.signing import KEY_FILE, sign, signing_key, unsign


def test_a_generated_key_is_kept_private_and_reused(tmp_path: Path) -> None:
    first = signing_key(Settings(home=tmp_path))
    assert len(first) >= 32
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Another process with the same home reads the same key.
    assert signing_key(Settings(home=tmp_path)) == first
    assert signing_key(Settings(home=tmp_path / "other")) != first


def test_the_configured_key_wins(tmp_path: Path) -> None:
    key = signing_key(Settings(home=tmp_path, secret_key=SecretStr("a configured key of enough length")))
    assert key == b"a configured key of enough length"
    assert not (tmp_path / KEY_FILE).exists()


def test_signed_values_resist_tampering_reuse_and_age() -> None:
    key = b"k" * 32
    value = sign(key, "cookie", {"uid": 7}, ttl=60)
    assert unsign(key, "cookie", value) is not None
    assert unsign(key, "cookie", value)["uid"] == 7  # type: ignore[index]
    payload, mac = value.split(".")
    assert unsign(b"x" * 32, "cookie", value) is None  # another key
    assert unsign(key, "other purpose", value) is None
    assert unsign(key, "cookie", f"{_flip(payload)}.{mac}") is None
    assert unsign(key, "cookie", f"{payload}.{_flip(mac)}") is None
    assert unsign(key, "cookie", sign(key, "cookie", {"uid": 7}, ttl=-1)) is None
    for junk in ("", None, "no-dot", "a.b.c"):
        assert unsign(key, "cookie", junk) is None


def _flip(text: str) -> str:
    """`text` with its first character changed."""
    return ("B" if text[0] == "A" else "A") + text[1:]
