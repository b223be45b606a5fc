from django.core.management.base import BaseCommand

from portal.tracking.services import article_scores_refresh


class Command(BaseCommand):
    help = ("Recount every article's helpful votes (Article.helpful_score, the home page's and topic pages' order). "
            "Each vote already updates its article; this repairs the column after votes were deleted by hand.")

    def handle(self, *args, **options):
        updated = article_scores_refresh()
        self.stdout.write(f"{updated} articles recounted")
