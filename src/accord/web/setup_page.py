"""The first run: a database without users asks for the first admin's name and password.

The page exists only while there are no users; afterwards it sends the browser to the
sign-in page. Creating the admin is race-safe (``auth.create_first_admin``): of two setups
at once, one creates the admin and the other is sent to sign in. The new admin is signed
in and lands on the users page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.api.deps import Db
from accord.errors import BadInput, Conflict
from accord.services import auth
from accord.web.render import render
from accord.web.sign_in import STALE_FORM, form_is_fresh, signed_in_response

router = APIRouter(include_in_schema=False)
AFTER_SETUP = "/admin/users"


def _gone() -> RedirectResponse:
    return RedirectResponse("/sign-in", status_code=303)


def _form(request: Request, message: str = "", status: int = 200, **values: str) -> Response:
    context = {"message": message, "min_length": auth.MIN_PASSWORD_LENGTH, **values}
    return render(request, "setup.html", context, status)


@router.get("/setup", response_class=HTMLResponse, response_model=None)
def setup_page(request: Request, db: Db) -> Response:
    return _form(request) if not auth.has_users(db) else _gone()


@router.post("/setup", response_model=None)
def setup(
    request: Request,
    db: Db,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=auth.MAX_PASSWORD_LENGTH)],
    confirm: Annotated[str, Form(max_length=auth.MAX_PASSWORD_LENGTH)],
    display_name: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not form_is_fresh(request, csrf_token):
        return _form(request, STALE_FORM, 403)
    if auth.has_users(db):
        return _gone()
    values = {"username": username.strip(), "display_name": display_name.strip()}
    if password != confirm:
        return _form(request, "The two passwords differ.", 422, **values)
    try:
        admin = auth.create_first_admin(db, username.strip(), password, display_name)
    except BadInput as exc:
        return _form(request, exc.message[:1].upper() + exc.message[1:] + ".", 422, **values)
    except Conflict:  # set up already, perhaps a moment ago by another browser
        return _gone()
    return signed_in_response(request, db, admin.username, AFTER_SETUP)
