"""Getting the sector databases' data in: sources, their readers, mapping to the catalog,
validation with quarantine, and the syncs that load the warehouse.

A row travels: ``readers`` (a source's rows as Arrow batches, with each row's position)
-> ``mapping`` (source columns to catalog fields, codes translated) -> ``validate`` (types,
required fields, code lists, keys, references; failures to quarantine) -> ``sync``
(idempotent upsert into the warehouse, with the run's record).
"""
