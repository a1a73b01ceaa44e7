"""Where `login` keeps the base URL and key: `$XDG_CONFIG_HOME/polytask/credentials`
(else `~/.config/polytask/credentials`), JSON, readable by its owner only."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Credentials:
    base_url: str
    api_key: str


def credentials_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "polytask" / "credentials"


def load() -> Credentials | None:
    """The stored credentials, or None when there are none (or the file is not ours to read)."""
    path = credentials_path()
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict):
        return None
    base_url, api_key = body.get("base_url"), body.get("api_key")
    if not isinstance(base_url, str) or not isinstance(api_key, str):
        return None
    return Credentials(base_url, api_key)


def save(credentials: Credentials) -> Path:
    """Write them with mode 0600 (the directory 0700); the key never exists on disk with
    wider permissions, not even for a moment."""
    path = credentials_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"base_url": credentials.base_url, "api_key": credentials.api_key}, out, indent=2)
        out.write("\n")
    os.replace(temporary, path)
    return path


def delete() -> bool:
    """Remove the stored credentials; False when there were none."""
    path = credentials_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
