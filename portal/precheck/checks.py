"""System check: a broken kb/precheck/rules.toml stops `manage.py check`, runserver and the test run, naming the rule."""

from django.conf import settings
from django.core.checks import Error, register

from portal.toolkit.precheck import RulesError, load_rules


@register("precheck")
def check_rules(app_configs=None, **kwargs):
    try:
        load_rules(settings.PRECHECK_RULES)
    except RulesError as error:
        return [Error(problem, id="precheck.E001") for problem in error.problems]
    return []
