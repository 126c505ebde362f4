"""Generator for sector 2 (local_government)."""

from collections.abc import Iterator

import pyarrow as pa

from noivu_ioc.generate.context import GenContext


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    yield from ()
