"""The engines keep Parsons' names, argument names and defaults, so scripts move over as is."""

from __future__ import annotations

import inspect

import pytest

import turnout
from turnout import warehouse
from turnout.warehouse.duckdb import DuckDB
from turnout.warehouse.postgres import Postgres
from turnout.warehouse.redshift import Redshift


def _parameters(function) -> list[str]:
    return [
        name
        for name, parameter in inspect.signature(function).parameters.items()
        if name != "self" and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    ]


def test_lazy_exports_resolve_to_the_engines():
    assert (turnout.Postgres, turnout.Redshift, turnout.DuckDB) == (Postgres, Redshift, DuckDB)


def test_shared_surface():
    assert sorted(warehouse.__all__) == [
        "ColumnType",
        "Dialect",
        "Kind",
        "PreparedLoad",
        "TableName",
        "infer_column_type",
        "load_series",
        "parse_table_name",
        "prepare_load",
        "quote_identifier",
    ]


@pytest.mark.parametrize("engine", [Postgres, Redshift, DuckDB])
def test_common_methods(engine):
    assert _parameters(engine.query) == ["sql", "parameters"]
    assert _parameters(engine.query_with_connection) == [
        "sql",
        "connection",
        "parameters",
        "commit",
    ]
    assert _parameters(engine.table_exists) == ["table_name", "view"]
    assert inspect.signature(engine.table_exists).parameters["view"].default is True
    assert _parameters(engine.copy)[:3] == ["tbl", "table_name", "if_exists"]
    assert inspect.signature(engine.copy).parameters["if_exists"].default == "fail"
    assert "alter_table" in _parameters(engine.copy)
    assert _parameters(engine.upsert)[:3] == ["table_obj", "target_table", "primary_key"]
    assert _parameters(engine.table) == ["table_name"]


def test_constructor_arguments():
    assert _parameters(Postgres)[:6] == ["username", "password", "host", "db", "port", "timeout"]
    assert _parameters(Redshift)[:11] == [
        "username",
        "password",
        "host",
        "db",
        "port",
        "timeout",
        "s3_temp_bucket",
        "aws_access_key_id",
        "aws_secret_access_key",
        "iam_role",
        "use_env_token",
    ]
    assert _parameters(DuckDB) == ["database", "read_only"]


def test_redshift_extras():
    assert _parameters(Redshift.upsert) == [
        "table_obj",
        "target_table",
        "primary_key",
        "vacuum",
        "distinct_check",
        "cleanup_temp_table",
        "alter_table",
        "alter_table_cascade",
        "from_s3",
        "distkey",
        "sortkey",
    ]
    assert _parameters(Redshift.unload)[:3] == ["sql", "bucket", "key_prefix"]
    assert _parameters(Redshift.copy_s3)[:3] == ["table_name", "bucket", "key"]
    assert _parameters(Redshift.alter_varchar_column_widths) == [
        "tbl",
        "table_name",
        "drop_dependencies",
    ]
    copy_options = {
        "max_errors", "distkey", "sortkey", "padding", "statupdate", "compupdate",
        "acceptanydate", "emptyasnull", "blanksasnull", "nullas", "acceptinvchars",
        "dateformat", "timeformat", "truncatecolumns", "specifycols", "aws_access_key_id",
        "aws_secret_access_key", "iam_role", "cleanup_s3_file", "template_table",
        "temp_bucket_region", "strict_length", "csv_encoding",
    }  # fmt: skip
    assert Redshift.copy_options == copy_options


def test_unknown_copy_argument_is_a_type_error(tmp_path):
    db = DuckDB(tmp_path / "w.duckdb")
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'distkey'"):
        db.copy(turnout.Table([{"a": 1}]), "t", distkey="a")
    with pytest.raises(TypeError, match=r"unexpected argument\(s\) \['distkey'\]"):
        db.upsert(turnout.Table([{"a": 1}]), "t", "a", distkey="a")
