"""Benchmark of the snippet library: bulk import, database size, search latency.

Generates N synthetic snippets of about 80 words (deterministic seed, an
English-like Zipf vocabulary plus 1% Chinese snippets), imports them with the
real command line (`python -m briefer snippets --library DB import FILE.jsonl`,
timed end to end in a child process), then times at least 100 searches of the
kinds users type (words, phrases, prefixes, a 3-letter prefix while typing,
exclusions, tag/source/date filters, CJK, malformed input), top 50, and the
same word searches done as a plain Python substring scan over the texts.

    .venv/bin/python bench/library_bench.py [--n 100000] [--format jsonl|csv]
                                            [--keep DIR] [--trigram]
                                            [--engine sqlite|postgresql] [--clients N]
                                            [--url postgresql://...]

`--trigram` also builds an FTS5 trigram index over the same texts, to show
what substring search through trigrams would cost in size and time.

`--engine postgresql` measures the team library instead: it starts a
throwaway PostgreSQL cluster (`tests/pg_cluster.py`, as the tests do; the
binaries of Debian's `postgresql` package), sets a team library up with
`briefer snippets init-team`, imports the same snippets with `briefer
snippets --library URL import` (in files of at most IMPORT_FILE_ROWS rows,
one transaction each), and times the same queries; `--url URL` times them
on a team library it filled before (with the same `--n`, kept on a server of
your own), without starting a server or importing. `--clients N` also runs N
processes searching at once, each its own connection and the query mix in
its own order (for either engine), three ways: as people type (about half
a second apart, each client on its own), all at the same instant every half
second, and back to back (the server saturated), and gives the latency over
all of them.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import enum
import itertools
import json
import multiprocessing
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefer.library import open_library  # noqa: E402

SEED = 20261123
# The team library's import is given files of this many rows (a JSON Lines
# file of 1,000,000 snippets is larger than one import reads).
IMPORT_FILE_ROWS = 100_000
# The throwaway server: enough memory to keep the library cached, as a
# desk's server would; no durability (it is thrown away).
BENCH_SERVER = {
    "shared_buffers": "2GB",
    "effective_cache_size": "8GB",
    "maintenance_work_mem": "512MB",
    "work_mem": "32MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "random_page_cost": "1.1",
}
COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "by",
    "was",
    "at",
    "from",
    "it",
    "be",
    "are",
    "has",
    "this",
    "which",
    "said",
    "not",
    "have",
    "its",
    "an",
    "were",
    "but",
    "would",
    "will",
    "more",
    "been",
    "their",
    "after",
    "had",
    "also",
    "over",
    "new",
    "government",
    "minister",
    "state",
    "officials",
    "security",
    "military",
    "sanctions",
    "trade",
    "market",
    "energy",
    "regulation",
    "regulatory",
    "report",
    "election",
    "court",
    "policy",
    "economic",
    "foreign",
    "president",
    "agreement",
    "talks",
    "border",
    "attack",
    "cyber",
    "data",
    "network",
    "company",
    "bank",
    "prices",
    "inflation",
    "growth",
    "oil",
    "gas",
    "war",
    "troops",
    "peace",
    "deal",
    "vote",
    "law",
    "parliament",
    "european",
    "union",
    "china",
    "russia",
    "ukraine",
    "united",
    "states",
    "investment",
    "technology",
    "climate",
    "emissions",
    "migration",
    "health",
]
PUBLISHERS = (
    "Reuters", "Associated Press", "BBC", "Financial Times", "Le Monde", "Der Spiegel",
    "Al Jazeera", "Nikkei Asia", "The Guardian", "Bloomberg", "Politico", "Euractiv",
)  # fmt: skip
TAGS = [f"topic{i}" for i in range(40)] + ["cyber", "energy", "sanctions", "eu", "china"]
CJK_CHARS = "北京上海中国政府经济贸易能源安全网络市场报告政策会议发展合作国际关系技术"


@dataclass
class Query:
    kind: str
    text: str
    words: tuple[str, ...]  # what a substring scan looks for


def make_vocabulary(rnd: random.Random, size: int = 40_000) -> list[str]:
    consonants = "bcdfghjklmnprstvwz"
    vowels = "aeiou"
    words = list(dict.fromkeys(COMMON))
    seen = set(words)
    while len(words) < size:
        length = rnd.choice((2, 2, 3, 3, 3, 4, 4, 5))
        word = "".join(rnd.choice(consonants) + rnd.choice(vowels) for _ in range(length))
        word = word[: rnd.randint(len(word) - 1, len(word))]
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def generate(n: int, path: Path) -> list[dict[str, object]]:
    rnd = random.Random(SEED)
    vocab = make_vocabulary(rnd)
    weights = list(itertools.accumulate(1.0 / (rank + 1) ** 1.05 for rank in range(len(vocab))))
    rows: list[dict[str, object]] = []
    for i in range(n):
        if i % 100 == 99:
            text = "".join(rnd.choice(CJK_CHARS) for _ in range(rnd.randint(60, 160)))
        else:
            words = rnd.choices(vocab, cum_weights=weights, k=rnd.randint(70, 90))
            text = " ".join(words).capitalize() + "."
        source_no = i // 4  # four snippets per article
        publisher = PUBLISHERS[source_no % len(PUBLISHERS)]
        rows.append(
            {
                "text": text,
                "title": " ".join(
                    vocab[(source_no * 7 + k * 131) % 3000] for k in range(6)
                ).title(),
                "publisher": publisher,
                "author": f"Author {source_no % 997}",
                "url": f"https://news.example/{publisher.split()[0].lower()}/{source_no}",
                "published": f"{2020 + source_no % 7}-{1 + source_no % 12:02d}"
                f"-{1 + source_no % 28:02d}",
                "tags": rnd.sample(TAGS, k=rnd.randint(0, 3)),
            }
        )
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows


def write_csv(rows: list[dict[str, object]], path: Path) -> None:
    columns = ["text", "title", "publisher", "author", "url", "published", "tags"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            tags = row["tags"] if isinstance(row["tags"], list) else []
            writer.writerow([*(row[c] for c in columns[:-1]), ";".join(map(str, tags))])


def make_queries(rows: list[dict[str, object]], rnd: random.Random) -> list[Query]:
    latin = [str(r["text"]).lower().rstrip(".").split() for r in rows if str(r["text"]).isascii()]
    cjk = [str(r["text"]) for r in rows if not str(r["text"]).isascii()]

    def words(k: int) -> list[str]:
        doc = rnd.choice(latin)
        return rnd.sample([w for w in doc if len(w) > 3] or doc, k)

    out: list[Query] = []
    for _ in range(15):
        (w,) = words(1)
        out.append(Query("word", w, (w,)))
        a, b = words(2)
        out.append(Query("two words", f"{a} {b}", (a, b)))
        doc = rnd.choice(latin)
        at = rnd.randrange(len(doc) - 2)
        phrase = " ".join(doc[at : at + 2])
        out.append(Query("phrase", f'"{phrase}"', (phrase,)))
        (w,) = words(1)
        out.append(Query("prefix*", f"{w[:5]}*", (w[:5],)))
        (w,) = words(1)
        out.append(Query("3-letter as-you-type", w[:3], (w[:3],)))
        a, b = words(2)
        out.append(Query("exclude", f"{a} -{b}", (a,)))
        (w,) = words(1)
        tag = rnd.choice(TAGS)
        out.append(Query("tag filter", f"{w} tag:{tag}", (w,)))
        (w,) = words(1)
        pub = rnd.choice(PUBLISHERS).split()[0].lower()
        out.append(Query("source filter", f"{w} source:{pub}", (w,)))
        (w,) = words(1)
        out.append(Query("date filter", f"{w} after:2023-01-01 before:2025-06-01", (w,)))
        doc = rnd.choice(cjk)
        at = rnd.randrange(len(doc) - 3)
        out.append(Query("CJK substring", doc[at : at + 2], (doc[at : at + 2],)))
        (w,) = words(1)
        out.append(Query("malformed", rnd.choice(("AND( ", '"', "NEAR ", "- ", "*:")) + w, (w,)))
    return out


Timings = dict[str, list[float]]


def time_queries(location: str, queries: list[Query]) -> tuple[Timings, dict[str, list[int]]]:
    """Each query once, in order, after a warm-up: latency and hits by kind."""
    lib = open_library(location)
    for q in queries[:20]:  # warm the page cache
        lib.search(q.text)
    timings: Timings = {}
    counts: dict[str, list[int]] = {}
    for q in queries:
        t0 = time.perf_counter()
        hits = lib.search(q.text, limit=50)
        elapsed = time.perf_counter() - t0
        timings.setdefault(q.kind, []).append(elapsed)
        counts.setdefault(q.kind, []).append(len(hits))
    lib.close()
    return timings, counts


class Pace(enum.StrEnum):
    """How a client of `--clients` spaces its searches."""

    TYPING = "typing"  # about TYPING_PAUSE_S apart, each client on its own
    IN_STEP = "in step"  # every client at the same instant, every STEP_S
    BACK_TO_BACK = "back to back"  # no pause: the server saturated


# Between one search and the next of a person at the search box: the
# window's search-as-you-type waits for a pause in typing.
TYPING_PAUSE_S = 0.5
# In step, the clients search together every STEP_S, for STEPS rounds.
STEP_S = 0.5
STEPS = 60


def client(location: str, texts: list[str], seed: int, start_at: float, pace: str) -> list[float]:
    """One of `--clients` searchers: the query mix in its own order, paced
    as `pace` says."""
    lib = open_library(location)
    rnd = random.Random(seed)
    order = texts[:]
    rnd.shuffle(order)
    if pace == Pace.IN_STEP:
        order = order[:STEPS]
    lib.search(order[0])
    time.sleep(max(0.0, start_at - time.time()))  # all start together
    latencies = []
    for n, text in enumerate(order):
        if pace == Pace.IN_STEP:
            time.sleep(max(0.0, start_at + n * STEP_S - time.time()))
        t0 = time.perf_counter()
        lib.search(text, limit=50)
        latencies.append(time.perf_counter() - t0)
        if pace == Pace.TYPING:
            time.sleep(TYPING_PAUSE_S * (0.5 + rnd.random()))  # people do not type in step
    lib.close()
    return latencies


def concurrent_search(location: str, queries: list[Query], clients: int, pace: str) -> list[float]:
    ctx = multiprocessing.get_context("spawn")
    texts = [q.text for q in queries]
    start_at = time.time() + 3 + clients * 0.3  # once every client has connected
    with ctx.Pool(clients) as pool:
        jobs = [
            pool.apply_async(client, (location, texts, n, start_at, pace)) for n in range(clients)
        ]
        return [t for job in jobs for t in job.get(timeout=1800)]


@contextlib.contextmanager
def team_library(work: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A throwaway cluster with an empty team library: its URL and the
    environment (PGPASSWORD) that opens it."""
    sys.path.insert(0, str(REPO / "tests"))
    import pg_cluster

    with pg_cluster.running(BENCH_SERVER) as cluster:
        cluster.create_role("bench", "bench-password")
        cluster.create_database("bench", owner="bench")
        url = cluster.url("bench", "bench")
        env = dict(os.environ, PYTHONPATH=str(REPO), PGPASSWORD="bench-password")
        os.environ["PGPASSWORD"] = env["PGPASSWORD"]
        done = subprocess.run(
            [sys.executable, "-m", "briefer", "snippets", "init-team", url],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        yield url, env


def split_jsonl(data: Path, rows: int) -> list[Path]:
    """The JSON Lines file in files of at most `rows` lines."""
    parts: list[Path] = []
    with data.open(encoding="utf-8") as source:
        while True:
            lines = list(itertools.islice(source, rows))
            if not lines:
                return parts
            part = data.with_name(f"{data.stem}-{len(parts) + 1:03d}{data.suffix}")
            part.write_text("".join(lines), encoding="utf-8")
            parts.append(part)


def report(
    timings: dict[str, list[float]], counts: dict[str, list[int]], scan: list[float], label: str
) -> None:
    everything = [t for ts in timings.values() for t in ts]
    print(f"\nsearch latency, top 50, {len(everything)} queries (ms):")
    print(f"  {'kind':<22}{'queries':>8}{'median':>9}{'p95':>9}{'hits':>7}")
    for kind, ts in timings.items():
        avg_hits = statistics.mean(counts[kind])
        print(
            f"  {kind:<22}{len(ts):>8}{fmt_ms(statistics.median(ts)):>9}"
            f"{fmt_ms(percentile(ts, 95)):>9}{avg_hits:>7.0f}"
        )
    print(
        f"  {label:<22}{len(everything):>8}{fmt_ms(statistics.median(everything)):>9}"
        f"{fmt_ms(percentile(everything, 95)):>9}"
    )
    print(
        f"  {'Python substring scan':<22}{len(scan):>8}{fmt_ms(statistics.median(scan)):>9}"
        f"{fmt_ms(percentile(scan, 95)):>9}"
    )


def print_concurrent(location: str, queries: list[Query], clients: int) -> None:
    """`clients` processes searching at once: as people type (a pause of
    about TYPING_PAUSE_S between searches, each on their own), all at the
    same instant every STEP_S, then back to back (the server saturated)."""
    print()
    for pace in (Pace.TYPING, Pace.IN_STEP, Pace.BACK_TO_BACK):
        how = {
            Pace.TYPING: f"as people type (~{TYPING_PAUSE_S:g} s apart)",
            Pace.IN_STEP: f"all at the same instant, every {STEP_S:g} s",
            Pace.BACK_TO_BACK: "back to back",
        }[pace]
        latencies = concurrent_search(location, queries, clients, pace)
        print(
            f"{clients} clients searching at once, {how}, {len(latencies)} searches (ms):"
            f" median {fmt_ms(statistics.median(latencies)).strip()},"
            f" p95 {fmt_ms(percentile(latencies, 95)).strip()},"
            f" max {fmt_ms(max(latencies)).strip()}"
        )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="snippets to generate")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    parser.add_argument("--trigram", action="store_true", help="also measure a trigram index")
    parser.add_argument(
        "--format", choices=("jsonl", "csv"), default="jsonl", help="the bulk file to import"
    )
    parser.add_argument(
        "--engine",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="the local library (default) or a team library on a throwaway PostgreSQL server",
    )
    parser.add_argument(
        "--clients", type=int, default=0, help="also time this many processes searching at once"
    )
    parser.add_argument(
        "--url",
        help="with --engine postgresql: time the searches on this team library, which this"
        " benchmark filled before with the same --n (no server started, nothing imported)",
    )
    args = parser.parse_args()
    if args.engine == "postgresql":
        return main_postgresql(args)

    work = args.keep or Path(tempfile.mkdtemp(prefix="briefer-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data, db = work / "snippets.jsonl", work / "library.sqlite3"
    csv_data = work / "snippets.csv"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)

    print(
        f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    started = time.perf_counter()
    rows = generate(args.n, data)
    words = sum(len(str(r["text"]).split()) for r in rows if str(r["text"]).isascii())
    latin_rows = sum(1 for r in rows if str(r["text"]).isascii())
    print(
        f"generated {len(rows):,} snippets ({words / max(1, latin_rows):.0f} words each, "
        f"{data.stat().st_size / 1e6:.1f} MB JSON Lines) in {time.perf_counter() - started:.1f} s"
    )

    if args.format == "csv":
        write_csv(rows, csv_data)
        data = csv_data
    env = dict(os.environ, PYTHONPATH=str(REPO))
    # More rows than one import file takes (past IMPORT_FILE_ROWS): several files.
    one_file = args.n <= IMPORT_FILE_ROWS or args.format != "jsonl"
    files = [data] if one_file else split_jsonl(data, IMPORT_FILE_ROWS)
    command = [
        sys.executable,
        "-m",
        "briefer",
        "snippets",
        "--library",
        str(db),
        "import",
        *map(str, files),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    import_s = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        return 1
    several = f", {len(files)} files" if len(files) > 1 else ""
    print(f"import (`briefer snippets import`{several}, end to end): {import_s:.2f} s")
    print(f"  {done.stdout.strip()}" if len(files) == 1 else f"  {len(files)} files imported")

    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = (
            conn.execute(
                "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
            ).fetchall()
            if _has_dbstat(conn)
            else []
        )
    size = db.stat().st_size
    print(f"database size: {size / 1e6:.1f} MB")
    fts = sum(s for name, s in pages if name.startswith("snippet_fts"))
    if pages:
        print(f"  of which full-text index: {fts / 1e6:.1f} MB")

    rnd = random.Random(SEED + 1)
    queries = make_queries(rows, rnd)
    timings, counts = time_queries(str(db), queries)
    report(timings, counts, substring_scan(rows, queries), "ALL (FTS5)")
    if args.clients:
        print_concurrent(str(db), queries, args.clients)

    if args.trigram:
        trigram_db = work / "trigram.sqlite3"
        trigram_db.unlink(missing_ok=True)
        with sqlite3.connect(trigram_db) as conn:
            conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='trigram')")
            t0 = time.perf_counter()
            conn.executemany("INSERT INTO t(text) VALUES (?)", ((str(r["text"]),) for r in rows))
            conn.commit()
            build = time.perf_counter() - t0
            lat = []
            for q in queries:
                needle = max(q.words, key=len)
                if len(needle) < 3:
                    continue
                t0 = time.perf_counter()
                conn.execute(
                    "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 50",
                    ('"' + needle.replace('"', '""') + '"',),
                ).fetchall()
                lat.append(time.perf_counter() - t0)
        size_mb = trigram_db.stat().st_size / 1e6
        print(
            f"\ntrigram index alone (text only): build {build:.2f} s, {size_mb:.1f} MB,"
            f" search median {fmt_ms(statistics.median(lat))} ms,"
            f" p95 {fmt_ms(percentile(lat, 95))} ms"
        )
    if not args.keep:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()
    return 0


def substring_scan(rows: list[dict[str, object]], queries: list[Query]) -> list[float]:
    """The same word searches as a plain Python scan of every text."""
    texts = [str(r["text"]).casefold() for r in rows]
    scan: list[float] = []
    for q in queries:
        t0 = time.perf_counter()
        needles = [w.casefold() for w in q.words]
        found = [i for i, t in enumerate(texts) if all(n in t for n in needles)]
        scan.append(time.perf_counter() - t0)
        del found
    return scan


def main_postgresql(args: argparse.Namespace) -> int:
    """The team library: the same snippets and queries on a throwaway server."""
    import psycopg

    work = args.keep or Path(tempfile.mkdtemp(prefix="briefer-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / "snippets.jsonl"
    started = time.perf_counter()
    rows = generate(args.n, data)
    print(f"generated {len(rows):,} snippets in {time.perf_counter() - started:.1f} s")
    if args.url:  # a team library filled before: only the searches
        with psycopg.connect(args.url) as conn:
            count = conn.execute("SELECT count(*) FROM briefer.snippet_search").fetchone()[0]
        if count != len(rows):
            raise SystemExit(f"{args.url} holds {count:,} snippets, not the {len(rows):,} of --n")
        measure_postgresql(args.url, rows, args.clients)
        return 0
    files = split_jsonl(data, IMPORT_FILE_ROWS)
    with team_library(work) as (url, env):
        with psycopg.connect(url) as conn:
            print(f"{conn.execute('SELECT version()').fetchone()[0].split(' on ')[0]},"
                  f" Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")  # fmt: skip
        command = [sys.executable, "-m", "briefer", "snippets", "--library", url, "import"]
        started = time.perf_counter()
        done = subprocess.run(
            [*command, *map(str, files)], env=env, capture_output=True, text=True, check=False
        )
        import_s = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 1
        print(
            f"import (`briefer snippets --library URL import`, {len(files)} files, end to end):"
            f" {import_s:.2f} s"
        )
        added = sum(int(line.split(": ")[1].split()[0]) for line in done.stdout.splitlines())
        print(f"  {added:,} added")
        with psycopg.connect(url, autocommit=True) as conn:
            started = time.perf_counter()
            conn.execute("VACUUM ANALYZE")
            print(f"VACUUM ANALYZE (what autovacuum does after a load): "
                  f"{time.perf_counter() - started:.1f} s")  # fmt: skip
            total, index = conn.execute(
                "SELECT pg_database_size(current_database()),"
                " pg_relation_size('briefer.snippet_search_doc')"
            ).fetchone()
        print(f"database size: {total / 1e6:.1f} MB")
        print(f"  of which full-text index: {index / 1e6:.1f} MB")
        measure_postgresql(url, rows, args.clients)
    if not args.keep:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()
    return 0


def measure_postgresql(url: str, rows: list[dict[str, object]], clients: int) -> None:
    """The query mix on the team library at `url`, then `clients` at once."""
    queries = make_queries(rows, random.Random(SEED + 1))
    timings, counts = time_queries(url, queries)
    report(timings, counts, substring_scan(rows, queries), "ALL (PostgreSQL)")
    if clients:
        print_concurrent(url, queries, clients)


def _has_dbstat(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1")
    except sqlite3.OperationalError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
