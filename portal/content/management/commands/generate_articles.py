import datetime
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.content.importer import kb_import
from portal.content.kb import article_text
from portal.content.models import Article
from portal.content.synthetic import KEY_PREFIX, synthetic_articles

UPDATED = datetime.date(2026, 11, 1)


class Command(BaseCommand):
    help = ("Make N realistic synthetic articles in each language (Italian and English translations of each other), "
            "for benchmarks and tests: as kb/ files (--kb-dir) to time import_kb, or into the database.")

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="Articles per language.")
        parser.add_argument("--kb-dir", type=Path, help="Write <dir>/<locale>/articles/*.md instead of the database.")
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument("--clear", action="store_true",
                            help=f"First delete the synthetic articles (translation key {KEY_PREFIX}…) from the database.")

    def handle(self, *args, count, kb_dir=None, seed=13, clear=False, **options):
        if count < 0:
            raise CommandError("N must be 0 or more")
        if clear:
            deleted, _ = Article.objects.filter(translation_key__startswith=KEY_PREFIX).delete()
            self.stdout.write(f"deleted {deleted} rows of synthetic articles")
        if kb_dir is not None:
            written = write_files(kb_dir, count, seed)
            self.stdout.write(f"wrote {written} article files under {kb_dir}")
            return
        # Into the database through the importer: the same rendering, bulk writes, history and search index as
        # the real articles get.
        with tempfile.TemporaryDirectory() as tmp:
            write_files(Path(tmp), count, seed)
            report = kb_import(kb_dir=Path(tmp), locales=[code for code, _ in settings.LANGUAGES], flows=[])
        self.stdout.write(list(report.lines())[-1])


def write_files(kb_dir: Path, count: int, seed: int) -> int:
    articles = synthetic_articles(count, seed=seed)
    for article in articles:
        path = kb_dir / article.locale / "articles" / f"{article.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_text({
            "title": article.title, "summary": article.summary, "translation_key": article.translation_key,
            "topic": article.topic, "tags": [], "sources": [], "updated": UPDATED, "steps": [], "body": article.body,
        }), encoding="utf-8")
    return len(articles)
