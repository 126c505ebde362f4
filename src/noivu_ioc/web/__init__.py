"""The web layer: FastAPI application, pages (Jinja2 + htmx + ECharts) and the JSON API.

Only this package turns domain errors into HTTP responses."""
