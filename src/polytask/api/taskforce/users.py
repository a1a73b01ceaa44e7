"""User: sign up (when the operator allows it) and read the authenticated user."""

from __future__ import annotations

from sqlalchemy.orm import Session

from polytask.api.kernel.routes import unit_router
from polytask.api.taskforce.auth import basic_credentials
from polytask.api.taskforce.contract import text
from polytask.api.taskforce.endpoint import Call, public_route, route
from polytask.api.taskforce.shapes import SignedUp, UserAnswer, user_shape
from polytask.core.actor import Actor
from polytask.domain.users.schemas import UserCreate
from polytask.domain.users.service import get_user
from polytask.domain.users.signup import sign_up

router = unit_router()


@public_route(
    router,
    "POST",
    "/user",
    params=(
        text("email", "The new user's email (their username here)", required=True, like=(UserCreate, "email")),
        text("name", "Their name", like=(UserCreate, "name")),
        text("password", "A password for the native sign-in (not used by this API)", like=(UserCreate, "password")),
    ),
    refusals={
        403: "Sign-up is closed on this server (POLYTASK_OPEN_SIGNUP), before any parameter is read",
        409: "A user with this email already exists",
    },
)
def create_user(session: Session, call: Call) -> SignedUp:
    """Create an account; answers with the new user's API key."""
    params = call.params
    fields = {"email": params.text("email"), "name": params.text("name"), "password": params.text("password")}
    issued = sign_up(session, enabled=call.settings.open_signup, fields=fields)
    return {"api_key": issued.secret}


@route(router, "GET", "/user", scope="users:read")
def show_user(session: Session, actor: Actor, call: Call) -> UserAnswer:
    """The authenticated user; `api_key` is the key this request authenticated with."""
    user = get_user(session, actor.user_id)
    _login, key = basic_credentials(call.request)
    return {"user": user_shape(user, key)}
