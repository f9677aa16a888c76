"""The domain of manyi and its persistence: tables, use cases and SQL aggregates.

This package never imports a web framework and never reads settings: time, secrets,
URLs and locales arrive as arguments.
"""
