"""Django admin and django-simple-history sentences we translate ourselves (our catalogue comes first).

Django's Italian "Il {name} … è stato modificato" is wrong for "articolo" and for every feminine name; these
versions name the thing after a colon, so they read right for every model. gettext_noop keeps the ids in our .po
files (makemessages would drop them otherwise); nothing calls this module.
"""

from django.utils.translation import gettext_noop

ADMIN_SENTENCES = (
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was deleted successfully."),
    gettext_noop('The %(name)s "%(obj)s" was changed successfully.'),
    gettext_noop("You may edit it again below"),
    gettext_noop("Change history: %s"),
    gettext_noop("View history: %s"),
    gettext_noop("Revert %s"),
    gettext_noop("View %s"),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
)
