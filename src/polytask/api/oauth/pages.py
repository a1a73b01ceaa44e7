"""GET/POST /oauth/authorize: the sign-in page, then the consent page; plain HTML forms, no script.

The browser's state lives in one signed, short-lived cookie (`polytask_oauth`): a CSRF token
and, once signed in, the user id. Every form carries the CSRF token; a POST whose token does
not match the cookie's is refused. Signing in rotates the cookie (new CSRF token).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from html import escape
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from polytask.api.kernel.routes import unit_router
from polytask.api.kernel.units import run_anonymous
from polytask.api.oauth.protocol import client_ip, key_of, read_form, settings_of
from polytask.api.oauth.schemas import HTML
from polytask.core.signing import sign, unsign
from polytask.domain.oauth import authorize as rules
from polytask.domain.oauth.common import OAuthError
from polytask.domain.users.login import active_user, sign_in

router = unit_router(tags=["OAuth 2.0"])

_PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The sign-in page, or the consent page when signed in", "content": HTML},
    303: {"description": "Back to the client's redirect_uri with `code` or `error` (and `state`)"},
    400: {
        "description": "A request that cannot be sent back to the client (unknown client_id, "
        "unregistered redirect_uri): an error page",
        "content": HTML,
    },
}
_FORM_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_PAGE_RESPONSES,
    303: {"description": "Signed in (to the consent page), or back to the client with `code` or `error`"},
    401: {"description": "Wrong username or password: the sign-in page again", "content": HTML},
    403: {"description": "Missing or stale CSRF token", "content": HTML},
    429: {"description": "Too many failed sign-ins; see Retry-After", "content": HTML},
}

COOKIE = "polytask_oauth"
COOKIE_PURPOSE = "oauth-authorize-session"
SESSION_TTL = 15 * 60
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}"
    "label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{width:100%;padding:.4rem}"
    "button{margin:1rem .5rem 0 0;padding:.5rem 1rem}.error{color:#a00}li{margin:.3rem 0}code{color:#555}"
)


@dataclass
class Browser:
    csrf: str
    user_id: int | None


def _browser(request: Request) -> Browser | None:
    data = unsign(key_of(request), COOKIE_PURPOSE, request.cookies.get(COOKIE))
    if data is None or not isinstance(data.get("csrf"), str):
        return None
    uid = data.get("uid")
    return Browser(csrf=data["csrf"], user_id=uid if isinstance(uid, int) else None)


def _set_cookie(request: Request, response: Response, browser: Browser) -> None:
    value = sign(key_of(request), COOKIE_PURPOSE, {"csrf": browser.csrf, "uid": browser.user_id}, ttl=SESSION_TTL)
    response.set_cookie(
        COOKIE,
        value,
        max_age=SESSION_TTL,
        path="/oauth",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · Polytask</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _here(request: Request) -> str:
    # The forms post back to the same URL, so the authorization request travels in the query.
    query = request.url.query
    return f"/oauth/authorize?{query}" if query else "/oauth/authorize"


def _action(request: Request) -> str:
    return escape(_here(request))


def _login_page(
    request: Request, auth: rules.AuthorizationRequest, browser: Browser, message: str = "", status: int = 200
) -> HTMLResponse:
    error = f"<p class=error role=alert>{escape(message)}</p>" if message else ""
    body = (
        f"<p>Sign in to let <strong>{escape(auth.client_name)}</strong> use your Polytask account.</p>{error}"
        f'<form method=post action="{_action(request)}">'
        f'<input type=hidden name=csrf_token value="{escape(browser.csrf)}">'
        '<input type=hidden name=action value="login">'
        "<label for=username>Username or email</label>"
        "<input type=text id=username name=username autocomplete=username required autofocus>"
        "<label for=password>Password</label>"
        "<input type=password id=password name=password autocomplete=current-password required>"
        "<button type=submit>Sign in</button></form>"
    )
    return _page("Sign in", body, status)


def _consent_page(request: Request, auth: rules.AuthorizationRequest, browser: Browser, who: str) -> HTMLResponse:
    items = "".join(
        f"<li>{escape(text)} <code>{escape(scope)}</code></li>" for scope, text in rules.describe_scopes(auth.scopes)
    )
    csrf = f'<input type=hidden name=csrf_token value="{escape(browser.csrf)}">'
    body = (
        f"<p>Signed in as <strong>{escape(who)}</strong>.</p>"
        f"<p><strong>{escape(auth.client_name)}</strong> asks for access to:</p><ul>{items}</ul>"
        f"<p>You will be sent back to <code>{escape(auth.redirect_uri)}</code>.</p>"
        f'<form method=post action="{_action(request)}">{csrf}'
        "<button type=submit name=action value=approve>Approve</button>"
        "<button type=submit name=action value=deny>Deny</button>"
        "<button type=submit name=action value=logout>Not you? Sign out</button></form>"
    )
    return _page("Authorize access", body)


def _error_page(message: str, status: int = 400) -> HTMLResponse:
    return _page("Authorization failed", f"<p class=error role=alert>{escape(message)}</p>", status)


def _redirect(location: str) -> Response:
    # 303: the browser follows with a GET and never re-posts the form (RFC 9700 section 4.11).
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})


def _failure_response(failure: rules.AuthorizationFailure) -> Response:
    if failure.redirect_uri is None:
        return _error_page(failure.description)
    return _redirect(failure.location())


@router.get("/oauth/authorize", response_class=HTMLResponse, responses=_PAGE_RESPONSES)
async def authorize_page(request: Request) -> Response:
    """Show the sign-in page, or (when signed in) the consent page, for an authorization request.

    Query (RFC 6749 section 4.1.1, RFC 7636): `response_type=code`, `client_id`, `redirect_uri`
    (exactly as registered), `scope` (space-separated; default: the client's), `state`,
    `code_challenge` + `code_challenge_method=S256` (required for public clients).
    """
    browser = _browser(request) or Browser(csrf=secrets.token_urlsafe(32), user_id=None)
    items = list(request.query_params.multi_items())

    def work(session: Session) -> tuple[rules.AuthorizationRequest | rules.AuthorizationFailure, str | None]:
        checked = rules.check_authorization_request(session, items)
        user = active_user(session, browser.user_id)
        return checked, (user.username if user else None)

    checked, who = await run_anonymous(request, work)
    if isinstance(checked, rules.AuthorizationFailure):
        return _failure_response(checked)
    if who is None:
        browser.user_id = None
        response = _login_page(request, checked, browser)
    else:
        response = _consent_page(request, checked, browser, who)
    _set_cookie(request, response, browser)
    return response


@router.post("/oauth/authorize", response_class=HTMLResponse, responses=_FORM_RESPONSES)
async def authorize_submit(request: Request) -> Response:
    """The sign-in and consent forms post here (same query as the GET).

    Form body: `csrf_token` and `action` = `login` (with `username`, a username or email, and
    `password`), `approve`, `deny` or `logout`.
    """
    form = await read_form(request)
    if isinstance(form, OAuthError):
        return _error_page(form.description)
    browser = _browser(request)
    sent = form.get("csrf_token", "")
    if browser is None or not hmac.compare_digest(sent.encode(), browser.csrf.encode()):
        return _error_page("This form has expired or did not come from this server. Go back and try again.", 403)
    settings, ip, items = settings_of(request), client_ip(request), list(request.query_params.multi_items())
    action = form.get("action")

    def work(session: Session) -> tuple[str, Any]:
        checked = rules.check_authorization_request(session, items)
        if isinstance(checked, rules.AuthorizationFailure):
            return "failed", checked
        if action == "login":
            outcome = sign_in(
                session, settings, login=form.get("username", ""), password=form.get("password", ""), client_ip=ip
            )
            return "login", (checked, outcome)
        user = active_user(session, browser.user_id)
        if action == "logout" or user is None:
            return "signed_out", checked
        if action == "approve":
            return "redirect", rules.approve(session, settings, user=user, request=checked)
        if action == "deny":
            return "redirect", rules.deny(session, user=user, request=checked)
        return "bad_action", checked

    kind, value = await run_anonymous(request, work)
    if kind == "failed":
        return _failure_response(value)
    if kind == "redirect":
        return _redirect(value)
    if kind == "bad_action":
        return _error_page("Unknown form action.")
    if kind == "signed_out":
        # Back to the sign-in page, with a fresh cookie.
        response = _redirect(_here(request))
        _set_cookie(request, response, Browser(csrf=secrets.token_urlsafe(32), user_id=None))
        return response
    checked, outcome = value
    if outcome.user_id is None:
        status = 429 if outcome.retry_after else 401
        response = _login_page(request, checked, browser, outcome.message, status)
        if outcome.retry_after:
            response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    # Signed in: a new cookie with a new CSRF token, then the consent page by GET.
    response = _redirect(_here(request))
    _set_cookie(request, response, Browser(csrf=secrets.token_urlsafe(32), user_id=outcome.user_id))
    return response
