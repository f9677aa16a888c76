"""Organisations and their places (sites, counters, clerks), campaigns, and the survey
links (QR tokens) of each place."""
