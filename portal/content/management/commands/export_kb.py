from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.content.importer import kb_export
from portal.flows.registry import all_flows


class Command(BaseCommand):
    help = (
        "Write the database's articles and step texts back to kb/ files, to review and commit admin edits. "
        "Only changed values are rewritten; comments and layout stay. A kb/ file edited locally since the last "
        "import is never overwritten unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kb-dir", type=Path, default=settings.KB_DIR, help="Default: the project's kb/.")
        parser.add_argument(
            "--force", action="store_true",
            help="Overwrite kb/ files that were changed since the last import (their local edits are lost).",
        )

    def handle(self, *args, kb_dir=None, force=False, **options):
        report = kb_export(kb_dir=kb_dir, flows=all_flows().values(), force=force)
        if report.refused:
            for line in report.refused:
                self.stderr.write(f"refused: {line}")
            raise CommandError(
                f"{len(report.refused)} kb/ file(s) hold edits that were never imported; nothing was written. "
                "Run import_kb first to bring them in (or commit/stash them), or export_kb --force to overwrite them."
            )
        for path in report.written:
            self.stdout.write(f"wrote {path}")
        self.stdout.write(f"{len(report.written)} file(s) changed")
