"""The messages Polytask sends, each with a plain-text and an HTML part.

Every value that comes from a person (names, workspace and task names, an invite's message)
is escaped in the HTML part; the text part carries it as written. Links point at the
server's public address (POLYTASK_PUBLIC_URL). There is no web page behind them: Polytask is
an API, so each message says which request finishes the job, with the token it needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready for the outbox."""

    kind: str
    subject: str
    text: str
    html: str


def _one_line(value: str, limit: int = 200) -> str:
    """A value fit for a Subject header: no line breaks (no header injection), bounded."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _html(title: str, paragraphs: list[str]) -> str:
    """The HTML part around already-escaped paragraphs."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>\n"
        f'<body style="font-family: sans-serif; line-height: 1.5">\n{body}\n</body></html>\n'
    )


def _request(method_path: str, body: dict[str, str]) -> str:
    return f"{method_path}\n{json.dumps(body, indent=2)}"


def _invite_steps(base: str, token: str) -> tuple[list[str], list[str]]:
    """How to accept an invite, as text lines and as escaped HTML paragraphs."""
    with_account = _request(f"POST {base}/v1/invites/accept  (with your API key)", {"token": token})
    new_account = _request(
        f"POST {base}/v1/invites/signup", {"token": token, "name": "Your Name", "password": "a new password"}
    )
    text = [
        f"Your invite token: {token}",
        f"If you have an account on this server, accept with:\n\n{with_account}",
        f"If you do not, create one as you accept:\n\n{new_account}",
    ]
    html = [
        f"Your invite token: <code>{escape(token)}</code>",
        f"If you have an account on this server, accept with:</p><pre>{escape(with_account)}</pre><p>",
        f"If you do not, create one as you accept:</p><pre>{escape(new_account)}</pre><p>",
    ]
    return text, html


def invite(*, base: str, inviter: str, workspace: str, role: str, message: str, token: str, expires: str) -> Rendered:
    """An invitation to join a workspace (POST /v1/workspaces/{id}/invites)."""
    subject = _one_line(f"{inviter} invited you to {workspace} on Polytask")
    steps_text, steps_html = _invite_steps(base, token)
    text = [f'{inviter} invited you to join the workspace "{workspace}" as {role}.']
    html = [
        f"{escape(inviter)} invited you to join the workspace <strong>{escape(workspace)}</strong> as {escape(role)}."
    ]
    if message:
        text.append(f"Their message:\n\n{message}")
        html.append(f"Their message:</p><blockquote>{escape(message)}</blockquote><p>")
    text += [*steps_text, f"The invite expires on {expires}."]
    html += [*steps_html, f"The invite expires on {escape(expires)}."]
    return Rendered("invite", subject, "\n\n".join(text) + "\n", _html(subject, html))


def task_invite(*, base: str, inviter: str, workspace: str, task: str, token: str, expires: str) -> Rendered:
    """A task shared with someone who is not a member yet (Taskforce's add_collaborator)."""
    subject = _one_line(f'{inviter} shared the task "{task}" with you on Polytask')
    steps_text, steps_html = _invite_steps(base, token)
    text = [
        f'{inviter} shared the task "{task}" with you, in the workspace "{workspace}".',
        "Accept the invitation to join the workspace; the task is then shared with you.",
        *steps_text,
        f"The invitation expires on {expires}.",
    ]
    html = [
        f"{escape(inviter)} shared the task <strong>{escape(task)}</strong> with you, in the workspace "
        f"<strong>{escape(workspace)}</strong>.",
        "Accept the invitation to join the workspace; the task is then shared with you.",
        *steps_html,
        f"The invitation expires on {escape(expires)}.",
    ]
    return Rendered("task_invite", subject, "\n\n".join(text) + "\n", _html(subject, html))


def password_reset(*, base: str, name: str, token: str, minutes: int) -> Rendered:
    """A password-reset link's token (POST /v1/password-resets)."""
    subject = "Reset your Polytask password"
    confirm = _request(f"POST {base}/v1/password-resets/confirm", {"token": token, "password": "your new password"})
    text = [
        f"Hello {name},",
        "Someone (we hope you) asked to reset the password of your Polytask account.",
        f"Set a new one within {minutes} minutes with:\n\n{confirm}",
        "The token works once. If you did not ask for this, ignore this message: your password stays as it is.",
    ]
    html = [
        f"Hello {escape(name)},",
        "Someone (we hope you) asked to reset the password of your Polytask account.",
        f"Set a new one within {minutes} minutes with:</p><pre>{escape(confirm)}</pre><p>",
        "The token works once. If you did not ask for this, ignore this message: your password stays as it is.",
    ]
    return Rendered("password_reset", subject, "\n\n".join(text) + "\n", _html(subject, html))
