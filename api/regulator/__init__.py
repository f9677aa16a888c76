"""The regulator's pages (``/regulator``): its operators side by side on the evaluations
it runs, aggregates only."""
