"""Reaching a team library: its URL, the password, the connection pool, errors.

A team library is named by a libpq URL, `postgresql://USER@HOST:PORT/DB`
(`postgres://` too), with libpq's own parameters after `?`, such as
`sslmode=verify-full` or `connect_timeout=5`, which are passed on untouched.
A password never goes in the URL (it would end up in settings, shell
history and process lists): `parse_location` refuses one. libpq takes it
from `PGPASSWORD` or from `~/.pgpass` (`PGPASSFILE`); failing both, a
caller on a terminal may pass `prompt`, asked once when the server wants a
password, and the answer is kept in memory by the pool only.

`connect` opens one connection (to check the server, the password and the
schema) and `open_pool` the pool the library then uses. Failures are one
line for the user, `LibraryError("postgresql://mira@db:5432/team: password
authentication failed for user \"mira\"")`: `shown_location` names the
library without any password, and `reason` words what libpq said.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from briefer.library import common
from briefer.library.location import CONNECT_TIMEOUT_S, is_team_location
from briefer.library.model import LibraryError

__all__ = ["CONNECT_TIMEOUT_S", "Location", "connect", "is_team_location", "parse_location"]

URL_FORM = "postgresql://USER@HOST:PORT/DATABASE"
APPLICATION = "briefer"
NO_PASSWORD_IN_URL = (
    "a password does not go in the library's URL (it would be kept in settings and shell"
    " history): set PGPASSWORD or put it in ~/.pgpass"
)
PasswordPrompt = Callable[[str], "str | None"]

# psycopg's pool logs connection failures itself; the user gets one line from
# us instead (a window's log handlers still see them, without any password).
logging.getLogger("psycopg").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class Location:
    """A team library's address, parsed; never holds a password."""

    url: str
    params: dict[str, str]

    @property
    def shown(self) -> str:
        """`postgresql://USER@HOST:PORT/DB` for messages (and sslmode, if given)."""
        return shown_location(self.params)


def shown_location(params: dict[str, str]) -> str:
    user = params.get("user", "")
    host = params.get("host", "") or "localhost"
    port = params.get("port", "")
    where = f"[{host}]" if ":" in host and not host.startswith("/") else host
    text = f"postgresql://{user + '@' if user else ''}{where}{':' + port if port else ''}"
    text += f"/{params.get('dbname', '')}"
    if params.get("sslmode"):
        text += f"?sslmode={params['sslmode']}"
    return text


def parse_location(url: str) -> Location:
    """The team library named by `url`; a `LibraryError` for a URL libpq
    cannot read or one holding a password (neither message repeats it)."""
    text = url.strip()
    if not is_team_location(text):
        raise LibraryError(f"not a team library URL (expected {URL_FORM})")
    try:
        params = {k: str(v) for k, v in conninfo_to_dict(text).items()}
    except psycopg.ProgrammingError as exc:
        reason = _scrub(str(exc), text)
        raise LibraryError(
            f"not a valid team library URL ({reason}; expected {URL_FORM})"
        ) from None
    if "password" in params:
        raise LibraryError(NO_PASSWORD_IN_URL)
    if not params.get("dbname"):
        raise LibraryError(f"the team library URL names no database (expected {URL_FORM})")
    return Location(text, params)


def _scrub(message: str, url: str) -> str:
    """libpq's message about a URL, without the URL's user-info part (where
    a password would be) and on one line."""
    userinfo = url.partition("//")[2].partition("@")
    if userinfo[1]:
        message = message.replace(userinfo[0], "…")
    return " ".join(message.split())


def connect_kwargs(
    timeout: float, password: str | None, *, autocommit: bool = True
) -> dict[str, Any]:
    """libpq settings for each connection (the URL's own come first)."""
    kwargs: dict[str, Any] = {
        "connect_timeout": max(1, math.ceil(timeout)),
        "application_name": APPLICATION,
        "autocommit": autocommit,
    }
    if password is not None:
        kwargs["password"] = password
    return kwargs


def configurer(lock_timeout: float) -> Callable[[psycopg.Connection], None]:
    """What each new connection is told: who the person is (for
    `modified_by`), how long a write waits for another's row lock (the
    library's patience), to plan every search for its own words (a plan
    cached for one word would be wrong for a far commoner one), and neither
    to compile plans (JIT takes tens of milliseconds a search on a large
    library, more than the search itself) nor to run a search in parallel
    (workers would read every window of ids at once, where one reads the
    newest until it has enough)."""
    user = common.modifier()
    wait = f"{max(1, round(lock_timeout * 1000))}ms"

    def configure(conn: psycopg.Connection) -> None:
        conn.execute(
            "SELECT set_config('briefer.user', %s, false), set_config('lock_timeout', %s, false),"
            " set_config('plan_cache_mode', 'force_custom_plan', false),"
            " set_config('jit', 'off', false),"
            " set_config('max_parallel_workers_per_gather', '0', false)",
            (user, wait),
        )

    return configure


def needs_password(exc: BaseException) -> bool:
    message = str(exc)
    return "no password supplied" in message or "password authentication failed" in message


def connect(
    location: Location,
    *,
    timeout: float = CONNECT_TIMEOUT_S,
    prompt: PasswordPrompt | None = None,
    lock_timeout: float = 60.0,
) -> tuple[psycopg.Connection, str | None]:
    """One connection to the library's database, asking `prompt` for a
    password when the server wants one that the environment and ~/.pgpass
    did not give; returns it with the password it took (None: libpq found
    it, or none was needed). A failure is a one-line `LibraryError`."""
    password: str | None = None
    while True:
        try:
            conn = psycopg.connect(location.url, **connect_kwargs(timeout, password))
        except psycopg.Error as exc:
            if prompt is not None and password is None and needs_password(exc):
                password = prompt(f"Password for {location.shown}: ")
                if password:
                    continue
            raise LibraryError(f"{location.shown}: {reason(exc)}") from None
        configurer(lock_timeout)(conn)
        return conn, password


def open_pool(
    location: Location,
    *,
    timeout: float,
    password: str | None,
    lock_timeout: float,
    max_size: int = 4,
) -> ConnectionPool:
    """The pool a library draws its connections from: one kept open, up to
    `max_size` for threads working at once."""
    pool = ConnectionPool(
        location.url,
        kwargs=connect_kwargs(timeout, password),
        min_size=1,
        max_size=max_size,
        open=False,
        configure=configurer(lock_timeout),
        timeout=timeout,
        name=f"briefer {location.shown}",
        reconnect_timeout=max(timeout, 30.0),
    )
    pool.open(wait=True, timeout=timeout)
    return pool


@contextlib.contextmanager
def translated(location: Location) -> Iterator[None]:
    """Database errors the user can act on, as one-line `LibraryError`s."""
    try:
        yield
    except (errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction) as exc:
        raise read_only_error(location, exc) from None


def read_only_error(location: Location, exc: BaseException) -> LibraryError:
    if isinstance(exc, errors.ReadOnlySqlTransaction):
        return LibraryError(
            f"{location.shown}: the server is read-only (a standby?): nothing saved"
        )
    return LibraryError(
        f"{location.shown}: read-only: your database role may search and cite but not change"
        " the team library; ask its owner for write access"
    )


def reason(exc: BaseException) -> str:
    """What went wrong, in one line of libpq's own words, shortened."""
    if isinstance(exc, errors.InvalidCatalogName):
        return f"no such database ({_first_line(exc)})"
    message = _first_line(exc)
    # "connection failed: connection to server at "h" (1.2.3.4), port 5432 failed: X" -> X
    if "failed: " in message and message.startswith("connection"):
        detail = message.rsplit("failed: ", 1)[1].strip()
        where = message.partition("connection to server ")[2].partition(" failed")[0]
        message = f"cannot connect to the server {where}: {detail}" if where else detail
    if needs_password(exc) and "no password supplied" in message:
        message = (
            "the server asks for a password: set PGPASSWORD or put it in ~/.pgpass"
            " (the command line asks for it when run in a terminal)"
        )
    return message


def _first_line(exc: BaseException) -> str:
    """libpq's message on one line, each of its lines a sentence."""
    text = str(exc).replace("FATAL:", "").strip()
    joined = ""
    for line in (line.strip() for line in text.splitlines()):
        if line:
            end = "" if not joined or joined.endswith((".", ":", ";", "?", "!")) else "."
            joined += f"{end} {line}" if joined else line
    return joined or type(exc).__name__
