"""Typed pandas DataFrames built from the checked columns of ``table.read_table``.

No cell is parsed here: the values are the ones ``records()`` returns, so the
two can never disagree. Only the containers are pandas'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xborder_data.tableschema.descriptor import FieldSpec, TableSchema
from xborder_data.tableschema.table import Table
from xborder_data.tableschema.types import TYPES

if TYPE_CHECKING:
    import pandas as pd


def from_codes(codes: Any, members: tuple[Any, ...]) -> Any:
    """The Categorical of an enum from its members' codes (int64, -1 where missing), checked already."""
    import pandas as pd

    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(list(members)), validate=False)


def strings(array: Any) -> Any:
    """A pandas text column holding an Arrow ``large_string`` array as it is (nulls where missing)."""
    import pandas as pd

    return pd.arrays.ArrowStringArray(array)


def _categorical(values: list[Any], members: tuple[Any, ...]) -> Any:
    """The Categorical of checked enum values, from their codes: pd.Categorical(values, categories) re-checks every value."""
    import numpy as np
    import pandas as pd

    code = {member: number for number, member in enumerate(members)}
    try:
        codes = np.fromiter((-1 if value is None else code[value] for value in values), dtype=np.int64, count=len(values))
    except KeyError:  # a member equal to none of its own copies (NaN): pandas matches it
        return pd.Categorical(values, dtype=pd.CategoricalDtype(list(members)))
    return from_codes(codes, members)


def _column(values: list[Any], spec: FieldSpec) -> Any:
    import numpy as np
    import pandas as pd

    if spec.enum is not None:
        return _categorical(values, spec.enum)
    if spec.type == "string":  # through Arrow at once: pd.array(values, dtype="string") is four times slower
        import pyarrow as pa

        return strings(pa.array(values, pa.large_string()))
    dtype = TYPES[spec.type].pandas
    if spec.type == "number":
        # Built by hand so that a NaN cell stays NaN and only a missing cell is <NA>.
        mask = np.fromiter((value is None for value in values), dtype=bool, count=len(values))
        data = np.fromiter((np.nan if value is None else value for value in values), dtype=np.float64, count=len(values))
        return pd.arrays.FloatingArray(data, mask)
    if spec.type == "date":
        return np.array(values, dtype="datetime64[D]").astype(dtype)  # None becomes NaT
    return pd.array(values, dtype=dtype)  # type: ignore[call-overload]  # dtype is one of the TYPES strings


def to_frame(table: Table, schema: TableSchema) -> "pd.DataFrame":
    """Return ``table`` as a DataFrame whose dtypes follow the schema.

    string -> string, integer and year -> Int64, number -> Float64,
    boolean -> boolean, date -> datetime64[ns], any field with an enum -> Categorical.
    """
    import pandas as pd

    data = {spec.name: _column(values, spec) for spec, values in zip(schema.fields, table.columns)}
    return pd.DataFrame(data, index=pd.RangeIndex(table.row_count))
