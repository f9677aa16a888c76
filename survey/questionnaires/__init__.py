"""Questionnaires (versioned instruments) and the customers' responses to them."""
