"""The mayor's live dashboards: a Dash app served at `/dashboard` by the same server.

Pages (dashboards/pages/) read the platform only through GraphQL documents run in process at
the viewer's tier (dashboards/sources.py), build their figures with pure builders
(dashboards/figures/) and re-render when the bus tells them a topic changed (dashboards/live.py).
See docs/dashboards.md.
"""
