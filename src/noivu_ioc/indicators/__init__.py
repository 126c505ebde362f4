"""Indicators: figures computed from the warehouse, always within the viewer's scope.

This first module holds the headline figures of the home page; the indicator library
(declarative definitions, drill-down, targets) grows here."""
