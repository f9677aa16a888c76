"""Statistics of the stored answers.

``aggregation`` is the write half (power sums kept as responses arrive, and rebuilt);
``sums`` the read half (added up in the database per group); ``stat_rows`` and ``layouts``
what both share. ``reports``, ``dashboard``, ``comments`` and ``counts`` are the reports
built on them.
"""
