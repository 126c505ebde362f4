"""Units: the administrative units of Viet Nam after 1 July 2025, the 2025 conversion from
pre-2025 codes, and the hierarchy of organisational units that scopes users."""
