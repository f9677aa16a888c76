"""The administrators' set-up pages under ``/admin``: an organisation's places (regions,
halls, counters, clerks) and its campaigns, links and posters. Managers may read them;
only administrators change them, and only in their own organisations."""
