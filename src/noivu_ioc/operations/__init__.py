"""Operations: alert rules and alerts (and, as they come, incidents, tasks, plans and
directives), built on the indicators and the events of the sources."""
