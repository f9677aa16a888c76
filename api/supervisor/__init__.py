"""The conduct supervisors' mobile portal (/supervisor): inspections and feedback."""
