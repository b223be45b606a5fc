"""Search that ranks a bounded set of candidates (portal/content/search.py), so its cost does not grow with N.

PostgreSQL: a second stored tsvector, `search_head` (title A, summary B), with its own GIN index, kept by the same
trigger: the candidates whose title or summary match are found without reading any body.

SQLite: the FTS5 table stores each stem with its language in front ("it_ricors"), so a query matches only its
language's articles before anything is ranked (the table is rebuilt from the articles).
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE content_article ADD COLUMN search_head tsvector",
    """
    CREATE OR REPLACE FUNCTION content_article_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE config regconfig := CASE NEW.locale WHEN 'en' THEN 'portal_english'::regconfig
                                                ELSE 'portal_italian'::regconfig END;
    BEGIN
      NEW.search_head :=
        setweight(to_tsvector(config, coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector(config, coalesce(NEW.summary, '')), 'B');
      NEW.search_vector := NEW.search_head || setweight(to_tsvector(config, coalesce(NEW.body_text, '')), 'C');
      RETURN NEW;
    END $$
    """,
    "UPDATE content_article SET title = title",
    "CREATE INDEX content_article_search_head ON content_article USING GIN (search_head)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX content_article_search_head",
    """
    CREATE OR REPLACE FUNCTION content_article_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
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
    "ALTER TABLE content_article DROP COLUMN search_head",
]


def sqlite_rebuild(schema_editor, tokenizer: str) -> None:
    schema_editor.execute("DROP TABLE content_article_fts")
    schema_editor.execute(f'CREATE VIRTUAL TABLE content_article_fts USING fts5(title, summary, body, tokenize = "{tokenizer}")')


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        from portal.content.search_index import index_articles

        sqlite_rebuild(schema_editor, "unicode61 tokenchars '_'")
        rows = apps.get_model("content", "Article").objects.values_list(
            "pk", "locale", "title", "summary", "body_text")
        index_articles(schema_editor.connection, rows)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        from portal.content.searchwords import stems_text

        sqlite_rebuild(schema_editor, "unicode61")
        rows = apps.get_model("content", "Article").objects.values_list(
            "pk", "locale", "title", "summary", "body_text")
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO content_article_fts (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                [(pk, stems_text(t, loc), stems_text(s, loc), stems_text(b, loc)) for pk, loc, t, s, b in rows])


class Migration(migrations.Migration):
    dependencies = [("content", "0006_article_helpful_score")]
    operations = [migrations.RunPython(forward, backward)]
