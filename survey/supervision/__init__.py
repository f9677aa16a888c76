"""Conduct supervisors, checklists, inspections and the annual supervisor report."""
