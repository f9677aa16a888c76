"""Survey data from files: the wide CSV format, paper answers loaded into a campaign, and
the report of a file (``manyi analyze``)."""
