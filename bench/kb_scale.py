"""Knowledge base at scale: in-process timings of search, home, topic and article pages for 11, 2,000 and 20,000
articles per language, on SQLite and on PostgreSQL, plus import_kb's first and second run.

    .venv/bin/python bench/kb_scale.py [--sizes 11,2000,20000] [--postgres URL] [--write docs/benchmarks.md]

(`make bench-kb` runs it with the defaults.) Each database is built from empty: migrate, import kb/, then
`generate_articles` files imported by `import_kb` up to each size. Pages are requested through Django's test client
with production settings (DEBUG off); each figure is the median of several runs, search the median over QUERIES.
PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/bench_kb), a database this script drops
and creates; SQLite: a file in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = {
    "it": ["bloccato", "ricorso", "bannato numero", "template", "qualità dei messaggi", "sito web", "spam",
           "come faccio ricorso", "settori vietati", "assistenza meta"],
    "en": ["blocked", "appeal", "banned number", "template", "message quality"],
}
BUDGETS = {"search": 20.0, "home": 5.0, "topic": 10.0}
HOME_BYTES_BUDGET = 20_000


def measure(sizes: list[int]) -> list[dict]:
    """Runs inside a child process whose environment names the database (see main)."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from portal.content.management.commands.generate_articles import write_files
    from portal.content.models import Article

    call_command("collectstatic", interactive=False, verbosity=0)  # production settings serve the manifest
    call_command("migrate", verbosity=0)
    call_command("import_kb", verbosity=0, stdout=open(os.devnull, "w"))
    real = Article.objects.filter(locale="it").count()
    client = Client(HTTP_HOST="127.0.0.1")
    rows = []
    files_dir = Path(tempfile.mkdtemp())
    for size in sizes:
        synthetic = max(size - real, 0)
        import_first = import_second = None
        if synthetic:
            write_files(files_dir, synthetic, seed=13)
            started = time.perf_counter()
            call_command("import_kb", "--kb-dir", str(files_dir), verbosity=0, stdout=open(os.devnull, "w"))
            import_first = time.perf_counter() - started
            started = time.perf_counter()
            call_command("import_kb", "--kb-dir", str(files_dir), verbosity=0, stdout=open(os.devnull, "w"))
            import_second = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE content_article")
        count = Article.objects.filter(locale="it").count()

        def timed(path: str, repeat: int = 15) -> tuple[float, int, int]:
            client.get(path)  # warm caches
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            statements = []
            with connection.execute_wrapper(lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)):
                response = client.get(path)
            return statistics.median(times), len(response.content), len(statements)

        search_times, search_queries = [], 0
        for locale, queries in QUERIES.items():
            for query in queries:
                ms, _, n = timed(f"/{locale}/search/?q={query}", repeat=7)
                search_times.append(ms)
                search_queries = max(search_queries, n)
        healthz_ms, _, _ = timed("/healthz")
        home_ms, home_bytes, home_queries = timed("/it/")
        topic_ms, _, topic_queries = timed("/it/topics/capire/")
        pages = max(1, -(-Article.objects.filter(locale="it", topic="capire").count() // 20))
        deep_ms, _, _ = timed(f"/it/topics/capire/?page={pages}")
        article = Article.objects.get(locale="it", translation_key="appeal")
        article_ms, _, article_queries = timed(f"/it/articles/{article.slug}/")
        rows.append({
            "database": connection.vendor, "articles": count, "healthz_ms": healthz_ms,
            "load": os.getloadavg()[0],
            "search_ms": statistics.median(search_times), "search_queries": search_queries,
            "home_ms": home_ms, "home_bytes": home_bytes, "home_queries": home_queries,
            "topic_ms": topic_ms, "topic_last_ms": deep_ms, "topic_queries": topic_queries,
            "article_ms": article_ms, "article_queries": article_queries,
            "import_files": 2 * synthetic if synthetic else None,
            "import_first_s": import_first, "import_second_s": import_second,
        })
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def table(rows: list[dict]) -> str:
    def cell(value, fmt):
        return "–" if value is None else format(value, fmt)

    lines = [
        "| database | articles per language | search (median) | search queries | home | home size | home queries "
        "| topic page (first / last) | topic queries | article page | /healthz | load average "
        "| import_kb of new files: first run / unchanged run |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['database']} | {row['articles']:,} | {row['search_ms']:.1f} ms | {row['search_queries']} "
            f"| {row['home_ms']:.1f} ms | {row['home_bytes'] / 1000:.1f} KB | {row['home_queries']} "
            f"| {row['topic_ms']:.1f} / {row['topic_last_ms']:.1f} ms | {row['topic_queries']} "
            f"| {row['article_ms']:.1f} ms | {row['healthz_ms']:.2f} ms | {row['load']:.1f} "
            f"| {cell(row['import_files'], ',')} files: {cell(row['import_first_s'], '.1f')} s / "
            f"{cell(row['import_second_s'], '.1f')} s |")
    return "\n".join(lines)


def over_budget(rows: list[dict]) -> list[str]:
    problems = []
    for row in rows:
        if row["articles"] < 20_000:
            continue
        for name, budget in BUDGETS.items():
            if row[f"{name}_ms"] > budget:
                problems.append(f"{row['database']} {name}: {row[f'{name}_ms']:.1f} ms > {budget} ms")
        if row["home_bytes"] > HOME_BYTES_BUDGET:
            problems.append(f"{row['database']} home: {row['home_bytes']} bytes > {HOME_BYTES_BUDGET}")
        if row["search_queries"] > 2:
            problems.append(f"{row['database']} search: {row['search_queries']} queries > 2")
    return problems


def verdict(rows: list[dict], problems: list[str]) -> str:
    if not any(row["articles"] >= 20_000 for row in rows):
        return "The budgets apply at 20,000 per language, which this run did not measure: not checked."
    return "Over budget: " + "; ".join(problems) if problems else "All within budget."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="11,2000,20000")
    parser.add_argument("--postgres", default=os.environ.get(
        "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/bench_kb"), help="'' to leave PostgreSQL out")
    parser.add_argument("--write", type=Path, help="Also write the table into this markdown file.")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.measure:
        print(json.dumps(measure(sizes)))
        return 0

    environment = {**os.environ, "DJANGO_SECRET_KEY": "bench-" + "x" * 50, "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                   "DJANGO_DEBUG": "0", "DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_SECURE_COOKIES": "0",
                   "DJANGO_HSTS_SECONDS": "0", "DJANGO_LOG_LEVEL": "ERROR"}
    databases = []
    with tempfile.TemporaryDirectory() as tmp:
        databases.append(f"sqlite:///{tmp}/bench.sqlite3")
        if args.postgres:
            name = args.postgres.rsplit("/", 1)[1]
            server = args.postgres.rsplit("/", 1)[0]
            for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
                subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True)
            databases.append(args.postgres)
        rows = []
        for url in databases:
            result = subprocess.run(
                [sys.executable, __file__, "--measure", "--sizes", args.sizes],
                env={**environment, "DATABASE_URL": url}, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True)
            rows += json.loads(result.stdout.strip().splitlines()[-1])
    text = table(rows)
    print(text)
    problems = over_budget(rows)
    for problem in problems:
        print("over budget:", problem)
    if args.write:
        document = args.write.read_text() if args.write.exists() else "# Benchmarks\n"
        start, end = "<!-- kb_scale:start -->", "<!-- kb_scale:end -->"
        block = (f"{start}\n## Knowledge base at scale (`make bench-kb`, {time.strftime('%Y-%m-%d')})\n\n"
                 f"In-process (Django test client, production settings), medians. Budgets at 20,000 per language: "
                 f"search < 20 ms and at most 2 queries, home < 5 ms and < 20 KB, topic page < 10 ms.\n\n"
                 f"{text}\n\n{verdict(rows, problems)}\n{end}")
        if start in document:
            document = document[:document.index(start)] + block + document[document.index(end) + len(end):]
        else:
            document = document.rstrip() + "\n\n" + block + "\n"
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(document)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
