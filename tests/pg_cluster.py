"""A throwaway PostgreSQL cluster for the tests and the library benchmark.

`start()` runs `initdb` and `pg_ctl` from the installed PostgreSQL (Debian's
`postgresql` package; `find_bindir` looks in `PG_BINDIR`, on PATH and under
/usr/lib/postgresql) in a fresh temporary folder, as the `postgres` user
when run as root (initdb refuses root), on a free local port, with its unix
socket in that folder. The superuser `postgres` may connect only through
that socket, without a password; every other role connects over TCP on
127.0.0.1 with a SCRAM password, as a desk's analysts would. `Cluster.stop()`
stops the server and removes the folder.

    cluster = start()
    try:
        cluster.create_role("writer", "secret")
        cluster.create_database("team", owner="writer")
        url = cluster.url("writer", "team")   # postgresql://writer@127.0.0.1:PORT/team
    finally:
        cluster.stop()

Only the test suite and `bench/library_bench.py` use this: Briefer itself
never starts a server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

SUPERUSER = "postgres"
# Settings for a cluster whose data may be lost: nothing is flushed to disk.
THROWAWAY_SETTINGS: Mapping[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
    "listen_addresses": "127.0.0.1",
    "log_min_messages": "warning",
    "logging_collector": "off",
}


class ClusterError(RuntimeError):
    """The cluster could not be set up (a missing binary, a failed initdb)."""


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(versions)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """A running throwaway cluster (see the module docstring)."""

    root: Path
    bindir: Path
    port: int
    as_user: str | None  # run the server as this OS user (root cannot)
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.root / "server.log"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, role: str, database: str, **params: str) -> str:
        """A `postgresql://` URL for `role` over TCP (no password in it)."""
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"postgresql://{role}@127.0.0.1:{self.port}/{database}" + (
            f"?{query}" if query else ""
        )

    def admin(self, database: str = "postgres") -> psycopg.Connection:
        """A superuser connection through the socket, in autocommit."""
        return psycopg.connect(
            host=str(self.socket_dir),
            port=self.port,
            user=SUPERUSER,
            dbname=database,
            autocommit=True,
        )

    def execute(self, statement: str | sql.Composable, database: str = "postgres") -> None:
        with self.admin(database) as conn:
            conn.execute(statement)  # type: ignore[arg-type]

    def create_role(self, name: str, password: str, *, login: bool = True) -> None:
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} {} PASSWORD {}").format(
                    sql.Identifier(name),
                    sql.SQL("LOGIN" if login else "NOLOGIN"),
                    sql.Literal(password),
                )
            )

    def create_database(
        self, name: str, *, owner: str = SUPERUSER, template: str = "template0"
    ) -> None:
        with self.admin() as conn:
            conn.execute(
                sql.SQL(
                    "CREATE DATABASE {} OWNER {} TEMPLATE {} ENCODING 'UTF8'"
                    " LOCALE 'C.UTF-8' STRATEGY FILE_COPY"
                ).format(sql.Identifier(name), sql.Identifier(owner), sql.Identifier(template))
            )

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def terminate(self, database: str) -> int:
        """End every other session on `database` (a dropped connection); returns how many."""
        with self.admin() as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            ).fetchall()
        return len(rows)

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            self._run(["pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, command: Sequence[str]) -> subprocess.CompletedProcess[str]:
        return _run(self.bindir, command, self.as_user)


def _run(
    bindir: Path, command: Sequence[str], as_user: str | None
) -> subprocess.CompletedProcess[str]:
    argv = [str(bindir / command[0]), *command[1:]]
    if as_user is not None:
        argv = ["runuser", "-u", as_user, "--", *argv]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise ClusterError(f"{' '.join(command[:2])} failed: {done.stderr.strip() or done.stdout}")
    return done


def start(settings: Mapping[str, str] | None = None, bindir: Path | None = None) -> Cluster:
    """initdb and start a cluster in a new temporary folder; `settings` are
    added to (and override) THROWAWAY_SETTINGS."""
    bindir = bindir or find_bindir()
    if bindir is None:
        raise ClusterError("PostgreSQL is not installed (no initdb found)")
    as_user = SUPERUSER if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="briefer-pg-"))
    cluster = Cluster(root, bindir, free_port(), as_user)
    try:
        cluster.socket_dir.mkdir()
        if as_user is not None:
            for path in (root, cluster.socket_dir):
                shutil.chown(path, user=as_user, group=as_user)
        _run(
            bindir,
            [
                "initdb",
                "-D",
                str(cluster.data),
                "-U",
                SUPERUSER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            as_user,
        )
        hba = cluster.data / "pg_hba.conf"
        hba.write_text(
            f"local all {SUPERUSER} trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
            "host all all ::1/128 scram-sha-256\n",
            encoding="utf-8",
        )
        options = {
            **THROWAWAY_SETTINGS,
            **(settings or {}),
            "port": str(cluster.port),
            "unix_socket_directories": str(cluster.socket_dir),
        }
        lines = "".join(f"{key} = '{value}'\n" for key, value in options.items())
        with (cluster.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(lines)
        _run(
            bindir,
            ["pg_ctl", "-D", str(cluster.data), "-l", str(cluster.log), "-w", "-t", "60", "start"],
            as_user,
        )
    except BaseException:
        cluster.stop()
        raise
    return cluster


@contextlib.contextmanager
def running(settings: Mapping[str, str] | None = None) -> Iterator[Cluster]:
    """A started cluster, stopped and removed when the block ends (also on failure)."""
    cluster = start(settings)
    try:
        yield cluster
    finally:
        cluster.stop()
