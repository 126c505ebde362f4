"""noivu-ioc: the Intelligent Operations Center of the Ministry of Home Affairs."""

__version__ = "0.1.0"
