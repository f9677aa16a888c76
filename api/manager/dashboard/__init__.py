"""The managers' dashboard: filters, page views and their exports."""
