"""Generator for sector 0 (personnel)."""

from collections.abc import Iterator

import pyarrow as pa

from noivu_ioc.generate.context import GenContext


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    yield from ()
