"""Demo data: an operator with halls, answers, cases and inspections to look at."""
