"""A small statistics library for service-quality surveys.

Pure functions over numpy arrays or sufficient statistics; no web or database imports.
"""
