"""The warehouse: the integrated, checked copy of the sector data.

Every other module reaches the warehouse through ``Warehouse`` only; nothing else imports
DuckDB. A later backend (PostgreSQL, or a distributed engine through Ibis) replaces this
module and nothing else.
"""

from noivu_ioc.warehouse.store import LoadSummary, Warehouse, open_warehouse

__all__ = ["LoadSummary", "Warehouse", "open_warehouse"]
