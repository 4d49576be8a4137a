"""Spark: the schema and read options that make Spark read the CSVs as ``load()`` does.

Spark's default CSV reader takes a backslash as the escape character and a line
break as the end of a row, so a quoted cell holding ``\\"`` or a line break is
misread; and it guesses types (``stage_id`` "1.0" becomes 1.0). Reading with the
schema from the Table Schema and these options gives ``load()``'s values, cell
for cell. No Spark import is needed: the schema is a DDL string.

Example (with pyspark and a Java runtime installed)::

    from pyspark.sql import SparkSession
    import xborder_data
    from xborder_data.exports.spark import read_options, spark_schema

    spark = SparkSession.builder.getOrCreate()
    package = xborder_data.bundled()
    claims = spark.read.options(**read_options(package, "claims")).schema(spark_schema(package, "claims")).csv(
        str(package.path("claims")))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xborder_data.tableschema.types import NUMBER, TYPES

if TYPE_CHECKING:
    from xborder_data.package import Package

# Arrow type (each type's, types.py) -> Spark SQL type, as Spark itself converts Arrow.
SPARK_TYPES: dict[str, str] = {"string": "STRING", "int64": "BIGINT", "float64": "DOUBLE", "bool_": "BOOLEAN", "date32": "DATE"}


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def spark_schema(package: "Package", name: str) -> str:
    """The Spark DDL schema of resource ``name``, e.g. ```stage_id` STRING, `start_year` BIGINT``.

    Pass it to ``spark.read.schema(...)``; every field keeps its Table Schema type
    (string, integer and year as BIGINT, number as DOUBLE, boolean, date).
    """
    return ", ".join(f"{_quoted(spec.name)} {SPARK_TYPES[TYPES[spec.type].arrow]}" for spec in package.table_schema(name).fields)


def read_options(package: "Package", name: str) -> dict[str, str]:
    """The ``spark.read.options(...)`` that read resource ``name`` as its dialect and Table Schema say.

    ``escape`` is the quote character (quotes inside a cell are doubled, as in
    every CSV of this package), ``multiLine`` lets a quoted cell hold a line
    break, only an empty cell is missing, dates are ISO, infinities are written
    ``INF`` and ``-INF``, and a malformed row fails the read instead of becoming nulls.
    """
    dialect = package.resource(name).dialect
    escape = dialect.quote_char if dialect.double_quote or dialect.escape_char is None else dialect.escape_char
    return {
        "header": "true",
        "sep": dialect.delimiter,
        "quote": dialect.quote_char,
        "escape": escape,
        "multiLine": "true",
        "encoding": "UTF-8",
        "mode": "FAILFAST",
        "dateFormat": "yyyy-MM-dd",
        **dict(zip(("nanValue", "positiveInf", "negativeInf"), NUMBER.SPECIAL)),  # the Table Schema's NaN, INF, -INF
        "ignoreLeadingWhiteSpace": "false",
        "ignoreTrailingWhiteSpace": "false",
        "enforceSchema": "false",  # the header must name the schema's fields, in order
    }
