"""Search on an index, on both databases; the column and tables live outside Django's model state.

PostgreSQL: `content_article.search_vector`, a weighted tsvector (title A, summary B, body C) in the article's
language (text search configurations `portal_italian` / `portal_english`: the built-in ones with accents removed
before stemming), kept current by a trigger on every insert and update, with a GIN index.

SQLite: `content_article_fts`, an FTS5 table of snowball stems (rowid = article id), written by the save path and
import_kb (portal/content/search_index.py) and emptied of a deleted article by a trigger.
"""

from django.db import migrations

CONFIGS = {"portal_italian": "italian", "portal_english": "english"}

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    *[sql for name, base in CONFIGS.items() for sql in (
        f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{base})",
        f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, "
        f"hword, hword_part WITH unaccent, {base}_stem",
    )],
    "ALTER TABLE content_article ADD COLUMN search_vector tsvector",
    """
    CREATE FUNCTION content_article_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE config regconfig := CASE NEW.locale WHEN 'en' THEN 'portal_english'::regconfig
                                                ELSE 'portal_italian'::regconfig END;
    BEGIN
      NEW.search_vector :=
        setweight(to_tsvector(config, coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector(config, coalesce(NEW.summary, '')), 'B') ||
        setweight(to_tsvector(config, coalesce(NEW.body_text, '')), 'C');
      RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER content_article_search_vector BEFORE INSERT OR UPDATE OF locale, title, summary, body_text
    ON content_article FOR EACH ROW EXECUTE FUNCTION content_article_search_vector()
    """,
    "UPDATE content_article SET title = title",
    "CREATE INDEX content_article_search ON content_article USING GIN (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER content_article_search_vector ON content_article",
    "DROP FUNCTION content_article_search_vector()",
    "ALTER TABLE content_article DROP COLUMN search_vector",
    *[f"DROP TEXT SEARCH CONFIGURATION {name}" for name in CONFIGS],
]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE content_article_fts USING fts5(title, summary, body, tokenize = 'unicode61')",
    """
    CREATE TRIGGER content_article_fts_delete AFTER DELETE ON content_article
    BEGIN DELETE FROM content_article_fts WHERE rowid = old.id; END
    """,
]
SQLITE_BACKWARD = ["DROP TRIGGER content_article_fts_delete", "DROP TABLE content_article_fts"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)
        from portal.content.search_index import index_articles

        rows = apps.get_model("content", "Article").objects.values_list(
            "pk", "locale", "title", "summary", "body_text")
        index_articles(schema_editor.connection, rows)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("content", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
