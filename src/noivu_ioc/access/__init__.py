"""Access: accounts, roles, sessions and the scope of units each user answers for.

Every request runs as a ``Principal`` (a user, their roles and their ``Scope``); scope is
applied inside warehouse queries, never by filtering results afterwards."""
