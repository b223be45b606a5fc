"""Outcome helpers as pure functions: no requests, no database, no words of their own.

- `workhours`: 48 working hours after a moment, in Europe/Rome, skipping weekends and Italian public holidays;
- `ics`: a one-event iCalendar (RFC 5545) reminder with its VTIMEZONE;
- `website`: the format check of a website address (never fetched), with the corrected form;
- `readytext`: the ready-to-send message, assembled from words the caller passes in (the content layer owns them);
- `precheck`: the rule-based review of a message template (rules in kb/precheck/rules.toml).
"""
