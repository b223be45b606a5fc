"""The guide's flows: structure only (nodes, answers, where each leads), loaded from kb/flows/, validated at start,
walked by a pure resolver. No words: the content layer owns them (portal/content/words.py).

Nothing in this package imports Django except `checks` and `registry`, which connect it to settings.
"""
