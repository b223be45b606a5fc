import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.content.importer import kb_import
from portal.flows.registry import all_flows


class Command(BaseCommand):
    help = "Import kb/ (articles and step texts) into the database. Never overwrites an edit made in the admin."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would change, change nothing.")
        parser.add_argument("--kb-dir", type=Path, default=settings.KB_DIR, help="Default: the project's kb/.")

    def handle(self, *args, dry_run=False, kb_dir=None, **options):
        locales = [code for code, _ in settings.LANGUAGES]
        started = time.monotonic()
        progress = self._progress(options["verbosity"], started)
        report = kb_import(kb_dir=kb_dir, locales=locales, flows=all_flows().values(), dry_run=dry_run,
                           progress=progress)
        prefix = "[dry run] " if dry_run else ""
        lines = list(report.lines())
        if options["verbosity"] == 0:  # the summary, and what needs a person's attention
            lines = [line for line in lines if line.startswith(("conflict:", "problem:"))] + lines[-1:]
        elif len(lines) > 200:  # thousands of "created: …" lines help nobody: keep the summary and the problems
            lines = [line for line in lines if line.startswith(("conflict:", "problem:"))] + lines[-1:]
        for line in lines:
            self.stdout.write(prefix + line)
        if report.problems:
            raise CommandError(f"{len(report.problems)} file problem(s); those files were not imported.")

    def _progress(self, verbosity, started):
        """A bar redrawn in place on a terminal; elsewhere (CI, logs) a plain count now and then."""
        if verbosity == 0:
            return None
        terminal = getattr(self.stdout, "isatty", lambda: False)() or (
            self.stdout._out is sys.stdout and sys.stdout.isatty())
        last = {"logged": 0}

        def report(done, total):
            if terminal:
                filled = int(30 * done / total) if total else 30
                self.stdout.write(f"\rarticles [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} "
                                  f"{time.monotonic() - started:.0f} s", ending="")
                if done == total:
                    self.stdout.write("")
                self.stdout.flush()
            elif done == total or done - last["logged"] >= max(total // 10, 1):
                last["logged"] = done
                self.stdout.write(f"articles: {done}/{total}")

        return report
