"""Plain NumPy dtypes for tools that cannot read pandas' nullable ones (statsmodels, patsy, scikit-learn).

``load()`` and the panels return pandas' nullable dtypes (``Int64``, ``Float64``,
``boolean``, ``string``), so an integer column with a gap stays integer. Some
tools refuse them (statsmodels: ``Cannot interpret 'Int64Dtype()' as a data
type``). ``numpy_dtypes`` converts a frame once, with one rule per dtype, and
changes no value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from xborder_data.tableschema.types import DATE

if TYPE_CHECKING:
    import pandas as pd

Dtypes = Literal["nullable", "numpy"]
DTYPES: tuple[str, ...] = ("nullable", "numpy")


def numpy_dtypes(frame: "pd.DataFrame") -> "pd.DataFrame":
    """Return ``frame`` with plain NumPy dtypes, every value kept.

    - integers: ``int64`` where no value is missing, else ``float64`` with NaN
      (exact up to 2^53; a larger integer beside a gap stays ``Int64``, never rounded);
    - numbers: ``float64``, missing as NaN;
    - booleans: ``bool`` where no value is missing, else ``float64`` (1.0, 0.0, NaN);
    - text: ``object`` holding ``str``, missing as NaN (patsy drops such rows);
    - categories (enums): kept as categories when their values are text (patsy
      reads them as factors); an integer or number enum becomes its values, by
      the rules above;
    - dates: ``datetime64[ns]`` (``DATETIME_UNIT``), missing as NaT.

    Example:
        >>> import xborder_data
        >>> from xborder_data.dtypes import numpy_dtypes
        >>> numpy_dtypes(xborder_data.load("stages"))["start_year"].dtype
        dtype('int64')
    """
    import numpy as np
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        values = out[column]
        dtype = values.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            categories = dtype.categories
            if categories.dtype == object or pd.api.types.is_string_dtype(categories.dtype):
                continue
            values = pd.Series(values.astype(object).where(values.notna(), None).tolist(), index=values.index, dtype=object)
            if pd.api.types.is_bool_dtype(categories.dtype):
                values = values.astype("boolean")
            elif pd.api.types.is_integer_dtype(categories.dtype):
                values = values.astype("Int64")
            elif pd.api.types.is_float_dtype(categories.dtype):
                values = values.astype("Float64")
            elif pd.api.types.is_datetime64_any_dtype(categories.dtype):
                values = pd.to_datetime(values)
            dtype = values.dtype
        if pd.api.types.is_bool_dtype(dtype):
            out[column] = values.astype(bool) if not values.isna().any() else values.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        elif pd.api.types.is_integer_dtype(dtype):
            if not values.isna().any():
                out[column] = values.astype("int64")
            else:
                present = values.dropna()
                exact = present.empty or (int(present.min()) >= -(2**53) and int(present.max()) <= 2**53)
                out[column] = values.to_numpy(dtype="float64", na_value=np.nan) if exact else values
        elif pd.api.types.is_float_dtype(dtype):
            out[column] = values.to_numpy(dtype="float64", na_value=np.nan)
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            out[column] = values.astype(DATE.pandas)  # type: ignore[call-overload]  # "datetime64[ns]", load()'s unit
        elif pd.api.types.is_string_dtype(dtype) or dtype == object:
            out[column] = pd.Series([np.nan if pd.isna(v) else v for v in values.astype(object)], index=values.index, dtype=object)
    return out
