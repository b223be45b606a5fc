"""The pre-check rules of this site, read once per process from settings.PRECHECK_RULES."""

import functools

from django.conf import settings

from portal.toolkit.precheck import Rules, load_rules


@functools.cache
def site_rules() -> Rules:
    """Raises RulesError; the system check (precheck.E001) reports the same problems at start."""
    return load_rules(settings.PRECHECK_RULES)
