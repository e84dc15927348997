"""Reporting: the dashboards' figures and the copy of the archive they are computed from.

- ``figures``: what a dashboard shows (typed rows) and the filter choosing its minutes;
- ``stat_tables``: the compact copy of the archive, kept in step before each query;
- ``streaks``: members whose absences form a streak or repeat;
- ``stats``: the queries, ``Stats`` and ``open_stats``.
"""
