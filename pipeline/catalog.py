"""Every validated table of the warehouse, by qualified name, with the pandera model that declares it.

Each source declares its own tables (`pipeline/<source>/schemas.py`); this gathers them for what spans
the sources: the data dictionary and the checks of the whole code location.
"""

from __future__ import annotations

import pandera.pandas as pa

from pipeline.codings import schemas as codings
from pipeline.comments import schemas as comments
from pipeline.comparison import schemas as comparison
from pipeline.mapping import schemas as mapping
from pipeline.monitoring import schemas as monitoring
from pipeline.outcomes import schemas as outcomes
from pipeline.reference import schemas as reference
from pipeline.surveys import schemas as surveys

TABLES: dict[str, type[pa.DataFrameModel]] = {
    **reference.TABLES,
    **comparison.TABLES,
    **surveys.TABLES,
    **codings.TABLES,
    **comments.TABLES,
    **outcomes.TABLES,
    **mapping.TABLES,
    **monitoring.TABLES,
}
