"""The deterministic generator of realistic sector data (``ioc generate``).

Every entity of the catalog is filled column-wise with NumPy and Arrow, never one Python
object per row, so that the national scale (2.5 million personnel records, 10 million
training records) takes minutes. The same seed always gives the same data.
"""

from noivu_ioc.generate.context import SCALES, GenContext, Scale
from noivu_ioc.generate.run import generate_batches, generate_into

__all__ = ["SCALES", "GenContext", "Scale", "generate_batches", "generate_into"]
