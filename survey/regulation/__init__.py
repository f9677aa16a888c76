"""Regulators: authorities over operators, their accounts, and the evaluations they run
across their operators so that the operators' satisfaction indices are comparable."""
