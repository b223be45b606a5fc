"""Our own date formats per language (FORMAT_MODULE_PATH) and, in locale/, the lowercase Italian month and
weekday names that Django's catalog capitalises."""
