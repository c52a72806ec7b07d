"""Logging in and out of the pages, changing a one-time password, and the home page that sends each role to its work.

The pages share the API's login sessions: the same HttpOnly, SameSite=Strict cookie
and the same CSRF token, which the pages' forms carry as a hidden field. The login
form, which has no session yet, carries a token that must match a cookie set with it.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from borderplates.errors import Forbidden, ValidationError
from borderplates.services import accounts
from borderplates.services.accounts import NotAuthenticated, PasswordChangeRequired, TooManyAttempts
from borderplates.vocabulary import Role
from borderplates.web import forms
from borderplates.web.forms import Problems
from borderplates.web.pages import PAGE_HEADERS, Page, WebRoute, open_page, safe_next

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Field = Annotated[str, Form(max_length=forms.FIELD_LENGTH)]
LOGIN_FORM_COOKIE = "bp_login"
#: Where each role starts.
HOME = {Role.OFFICER: "/check", Role.CLERK: "/check", Role.SUPERVISOR: "/dashboard", Role.ADMIN: "/account"}


@router.get("/")
def home(request: Request) -> Response:
    page = open_page(request)
    return RedirectResponse(HOME[page.actor.role], 303, headers=PAGE_HEADERS)


def _login_form(page: Page, name: str, target: str, problems: Problems, status: int = 200) -> Response:
    token = secrets.token_urlsafe(18)
    response = page.render("login.html", status=status, name=name, target=target, problems=problems, form_token=token)
    response.set_cookie(LOGIN_FORM_COOKIE, token, path="/login", secure=page.served.settings.secure_cookies, httponly=True, samesite="strict")
    return response


@router.get("/login")
def login_form(request: Request, target: Annotated[str, Query(alias="next", max_length=500)] = "/") -> Response:
    page = open_page(request, login=False)
    return _login_form(page, "", safe_next(target), Problems())


@router.post("/login")
def login(
    request: Request,
    name: Field = "",
    password: Annotated[str, Form(max_length=accounts.MAX_PASSWORD_LENGTH)] = "",
    target: Field = "/",
    form_token: Field = "",
) -> Response:
    """Check the name and password (slowly: argon2), open a session and go where the person was going."""
    page = open_page(request, login=False)
    problems = Problems()
    target = safe_next(target)
    expected = request.cookies.get(LOGIN_FORM_COOKIE)
    if not expected or not secrets.compare_digest(expected, form_token):
        problems.add(None, forms.stale_form(page))
        return _login_form(page, name, target, problems, 403)
    if not name or not password:
        problems.add("name" if not name else "password", page._("Type your name and your password."))
        return _login_form(page, name, target, problems, 422)
    served = page.served
    try:
        opened = accounts.login(
            name, password, address=request.client.host if request.client else None, lifetime=served.session_lifetime, throttle=served.throttle, db=served.db
        )
    except TooManyAttempts as error:
        problems.add(None, page._("Too many failed logins: wait %(seconds)s seconds and try again.", seconds=error.retry_after))
        return _login_form(page, name, target, problems, 429)
    except NotAuthenticated:
        problems.add(None, page._("Wrong name or password."))
        return _login_form(page, name, target, problems, 401)
    destination = "/password" if opened.session.account.password_must_change else (target if target != "/" else HOME[opened.session.account.role])
    response = RedirectResponse(destination, 303, headers=PAGE_HEADERS)
    response.set_cookie(
        served.cookie_name,
        opened.token,
        max_age=int(served.session_lifetime.total_seconds()),
        path="/",
        secure=served.settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    response.delete_cookie(LOGIN_FORM_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Field = "") -> Response:
    served = open_page(request, login=False).served
    token = request.cookies.get(served.cookie_name)
    if token:
        try:
            session = accounts.session_of(token, db=served.db, for_password_change=True)
        except NotAuthenticated:
            session = None
        if session is not None and accounts.csrf_matches(session, csrf_token):
            accounts.logout(token, db=served.db)
    response = RedirectResponse("/login", 303, headers=PAGE_HEADERS)
    response.delete_cookie(served.cookie_name, path="/", secure=served.settings.secure_cookies, httponly=True, samesite="strict")
    return response


def _password_page(request: Request) -> tuple[Page, str, str]:
    """The page, the session's token and CSRF token, for a session that may be one opened with a one-time password."""
    page = open_page(request, login=False)
    token = request.cookies.get(page.served.cookie_name) or ""
    session = accounts.session_of(token, db=page.served.db, for_password_change=True)
    page.session = session
    return page, token, session.csrf_token


@router.get("/password")
def password_form(request: Request) -> Response:
    page, _, _ = _password_page(request)
    return page.render("password.html", problems=Problems(), done=False)


@router.post("/password")
def change_password(
    request: Request,
    current: Annotated[str, Form(max_length=accounts.MAX_PASSWORD_LENGTH)] = "",
    new: Annotated[str, Form(max_length=accounts.MAX_PASSWORD_LENGTH)] = "",
    repeated: Annotated[str, Form(max_length=accounts.MAX_PASSWORD_LENGTH)] = "",
    csrf_token: Field = "",
) -> Response:
    page, token, csrf = _password_page(request)
    problems = Problems()
    if not secrets.compare_digest(csrf, csrf_token):
        problems.add(None, forms.stale_form(page))
    elif new != repeated:
        problems.add("repeated", page._("The two new passwords differ."))
    elif len(new) < accounts.MIN_PASSWORD_LENGTH:
        problems.add("new", page._("A password has at least %(count)s characters.", count=accounts.MIN_PASSWORD_LENGTH))
    else:
        try:
            accounts.change_password(token, current, new, db=page.served.db)
        except Forbidden:
            problems.add("current", page._("The current password is wrong."))
        except ValidationError as error:
            forms.explain(page, error, problems)
    if problems:
        return page.render("password.html", status=422, problems=problems, done=False)
    try:
        destination = HOME[accounts.session_of(token, db=page.served.db).account.role]
    except PasswordChangeRequired:
        destination = "/password"
    return RedirectResponse(destination, 303, headers=PAGE_HEADERS)


@router.get("/account")
def account(request: Request) -> Response:
    """Who is logged in, and what the role may do here (an admin's work is done with the command line or the API)."""
    page = open_page(request)
    return page.render("account.html")
