"""The web application and the ``manyi`` command line: the only layer that knows HTTP."""
