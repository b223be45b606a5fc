"""The guide's flows: immutable data loaded from kb/, validated at start, walked by a pure resolver.

Nothing in this package imports Django except `checks` and `registry`, which connect it to settings.
"""
