"""Feedback and complaint cases: filing, first-ask ownership, state changes, the
working-time clock (``worktime``, ``rules``), an organisation's own settings, and what
managers read (``queries``)."""
