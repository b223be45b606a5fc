from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.content.importer import kb_export
from portal.flows.registry import all_flows


class Command(BaseCommand):
    help = "Write the database's articles and step texts back to kb/ files, to review and commit admin edits."

    def add_arguments(self, parser):
        parser.add_argument("--kb-dir", type=Path, default=settings.KB_DIR, help="Default: the project's kb/.")

    def handle(self, *args, kb_dir=None, **options):
        written = kb_export(kb_dir=kb_dir, flows=all_flows().values())
        for path in written:
            self.stdout.write(f"wrote {path}")
        self.stdout.write(f"{len(written)} file(s) changed")
