"""The managers' pages (/manager): home, dashboard, cases, checklists, supervision."""
