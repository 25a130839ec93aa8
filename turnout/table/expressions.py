"""select_rows expressions: Parsons' `"{col}"` strings, compiled or evaluated row by row.

An expression such as `"{n} > 3 and {state} == 'NY'"` is parsed with `ast` after each `{col}`
becomes a placeholder name. Two evaluators share that tree:

- `compile_to_polars` turns the simple forms (comparisons, `in` with a string, `is None`,
  `is True/False`, `and/or/not`, parentheses) into one polars expression over typed columns. It
  only accepts a form where the vectorised result is provably the one Python gives: where Python
  would raise (`None > 3`) or where polars and Python disagree (NaN, int vs float beyond 2**53,
  bool vs int), it declines and the row-wise evaluator runs instead.
- `RowEvaluator` walks the tree per row with Python semantics, allowing literals, operators,
  comparisons, subscripts, `if/else` and method calls on values (`{email}.endswith('.org')`),
  and nothing else: no names, no builtins, no private attributes.
"""

from __future__ import annotations

import ast
import logging
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from turnout.errors import ColumnNotFoundError, ExpressionError
from turnout.table.storage import Column

logger = logging.getLogger(__name__)

_FIELD = re.compile(r"\{([^{}]+)\}")
_PLACEHOLDER = "_turnout_column_{}"
_MAX_REPEAT = 10_000_000
_EXACT_FLOAT_INT = 2**53
_INT64 = (-(2**63), 2**63 - 1)


def field_names(text: str) -> list[str]:
    """The `{column}` names an expression string reads, in order of first use."""
    return list(dict.fromkeys(_FIELD.findall(text)))


class ParsedExpression:
    """An expression string parsed once: its tree and the columns it reads, in order."""

    def __init__(self, text: str, columns: Sequence[str]) -> None:
        self.text = text
        self.fields: list[str] = []

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in columns:
                raise ColumnNotFoundError(name, list(columns))
            if name not in self.fields:
                self.fields.append(name)
            return _PLACEHOLDER.format(self.fields.index(name))

        source = _FIELD.sub(substitute, text)
        try:
            self.tree = ast.parse(source.strip(), mode="eval").body
        except SyntaxError as error:
            raise ExpressionError(
                f"select_rows: expression {text!r} does not parse: {error.msg}"
            ) from None
        self.placeholders = {_PLACEHOLDER.format(i): i for i in range(len(self.fields))}


# --- row-wise evaluation -----------------------------------------------------------------------

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
}
_UNARY = {
    ast.Not: operator.not_,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Invert: operator.invert,
}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda left, right: left in right,
    ast.NotIn: lambda left, right: left not in right,
}
_BLOCKED_ATTRIBUTES = {"format", "format_map", "mro"}

Evaluate = Callable[[tuple], Any]


def _safe_multiply(left: Any, right: Any) -> Any:
    for count, other in ((left, right), (right, left)):
        repeats = isinstance(count, int) and isinstance(other, str | bytes | list | tuple)
        if repeats and count * len(other) > _MAX_REPEAT:
            raise ExpressionError("select_rows: repeating a value that many times is refused")
    return left * right


class RowEvaluator:
    """Evaluates a parsed expression on one row's values (a tuple in `fields` order)."""

    def __init__(self, parsed: ParsedExpression) -> None:
        self.parsed = parsed
        self.evaluate = self._build(parsed.tree)

    def _refuse(self, node: ast.AST) -> ExpressionError:
        return ExpressionError(
            f"select_rows: expression {self.parsed.text!r} uses {type(node).__name__}, which "
            "turnout does not evaluate (literals, operators, comparisons, subscripts and "
            "method calls on values are allowed)"
        )

    def _build(self, node: ast.AST) -> Evaluate:  # one branch per node type
        if isinstance(node, ast.Constant):
            constant = node.value
            return lambda row: constant
        if isinstance(node, ast.Name):
            index = self.parsed.placeholders.get(node.id)
            if index is None:
                raise ExpressionError(
                    f"select_rows: expression {self.parsed.text!r} names {node.id!r}; columns "
                    "are written as {column} and no other names are available"
                )
            return operator.itemgetter(index)
        if isinstance(node, ast.BoolOp):
            parts = [self._build(value) for value in node.values]
            if isinstance(node.op, ast.And):

                def all_of(row: tuple) -> Any:
                    result = True
                    for part in parts:
                        result = part(row)
                        if not result:
                            return result
                    return result

                return all_of

            def any_of(row: tuple) -> Any:
                result = False
                for part in parts:
                    result = part(row)
                    if result:
                        return result
                return result

            return any_of
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            function, operand = _UNARY[type(node.op)], self._build(node.operand)
            return lambda row: function(operand(row))
        if isinstance(node, ast.BinOp) and (
            type(node.op) in _BINARY or isinstance(node.op, ast.Mult)
        ):
            left, right = self._build(node.left), self._build(node.right)
            binary = _safe_multiply if isinstance(node.op, ast.Mult) else _BINARY[type(node.op)]
            return lambda row: binary(left(row), right(row))
        if isinstance(node, ast.Compare):
            return self._build_compare(node)
        if isinstance(node, ast.IfExp):
            test, body, orelse = (self._build(part) for part in (node.test, node.body, node.orelse))
            return lambda row: body(row) if test(row) else orelse(row)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items = [self._build(item) for item in node.elts]
            kind = {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)]
            return lambda row: kind(item(row) for item in items)
        if isinstance(node, ast.Dict) and all(key is not None for key in node.keys):
            keys = [self._build(key) for key in node.keys]  # type: ignore[arg-type]
            values = [self._build(value) for value in node.values]
            return lambda row: {key(row): value(row) for key, value in zip(keys, values)}
        if isinstance(node, ast.Subscript):
            target, index = self._build(node.value), self._build_index(node.slice)
            return lambda row: target(row)[index(row)]
        if isinstance(node, ast.Attribute):
            self._check_attribute(node.attr)
            target, attribute = self._build(node.value), node.attr
            return lambda row: getattr(target(row), attribute)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            self._check_attribute(node.func.attr)
            if any(isinstance(arg, ast.Starred) for arg in node.args) or any(
                keyword.arg is None for keyword in node.keywords
            ):
                raise self._refuse(node)
            target, method = self._build(node.func.value), node.func.attr
            args = [self._build(arg) for arg in node.args]
            kwargs = {keyword.arg: self._build(keyword.value) for keyword in node.keywords}
            return lambda row: getattr(target(row), method)(
                *(arg(row) for arg in args), **{k: v(row) for k, v in kwargs.items()}
            )
        raise self._refuse(node)

    def _build_index(self, node: ast.AST) -> Evaluate:
        if isinstance(node, ast.Slice):
            parts = [
                self._build(part) if part is not None else (lambda row: None)
                for part in (node.lower, node.upper, node.step)
            ]
            return lambda row: slice(*(part(row) for part in parts))
        return self._build(node)

    def _check_attribute(self, name: str) -> None:
        if name.startswith("_") or name in _BLOCKED_ATTRIBUTES:
            raise ExpressionError(
                f"select_rows: expression {self.parsed.text!r} uses attribute {name!r}, which "
                "is not allowed"
            )

    def _build_compare(self, node: ast.Compare) -> Evaluate:
        operands = [self._build(node.left)] + [self._build(item) for item in node.comparators]
        operators = [_COMPARE[type(op)] for op in node.ops]

        def compare(row: tuple) -> bool:
            left = operands[0](row)
            for function, operand in zip(operators, operands[1:]):
                right = operand(row)
                if not function(left, right):
                    return False
                left = right
            return True

        return compare


# --- vectorised compilation --------------------------------------------------------------------

_NUMERIC = (pl.Int64, pl.Float64)


class _Declined(Exception):
    """This form is not compiled; the row-wise evaluator runs instead."""


class PolarsCompiler:
    """Compiles the simple forms of a parsed expression to one boolean polars expression."""

    def __init__(self, parsed: ParsedExpression, columns: dict[str, Column]) -> None:
        self.parsed = parsed
        self.columns = columns

    def compile(self) -> pl.Expr | None:
        try:
            return self._truth(self.parsed.tree)
        except _Declined:
            return None

    # Operands --------------------------------------------------------------------------------

    def _series(self, node: ast.AST) -> pl.Series | None:
        if isinstance(node, ast.Name) and node.id in self.parsed.placeholders:
            name = self.parsed.fields[self.parsed.placeholders[node.id]]
            stored = self.columns[name]
            if not isinstance(stored, pl.Series):
                raise _Declined  # a mixed column is always evaluated row by row
            return stored
        return None

    def _column(self, series: pl.Series) -> pl.Expr:
        return pl.col(series.name)

    @staticmethod
    def _literal(node: ast.AST) -> tuple[bool, Any]:
        if isinstance(node, ast.Constant):
            return True, node.value
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub | ast.UAdd)
            and isinstance(node.operand, ast.Constant)
            and type(node.operand.value) in (int, float)
        ):
            value = node.operand.value
            return True, -value if isinstance(node.op, ast.USub) else value
        return False, None

    # Truthiness ------------------------------------------------------------------------------

    def _truth(self, node: ast.AST) -> pl.Expr:
        if isinstance(node, ast.BoolOp):
            parts = [self._truth(value) for value in node.values]
            combined = parts[0]
            for part in parts[1:]:
                combined = combined & part if isinstance(node.op, ast.And) else combined | part
            return combined
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ~self._truth(node.operand)
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            parts = [
                self._compare(left, op, right)
                for left, op, right in zip(operands, node.ops, operands[1:])
            ]
            combined = parts[0]
            for part in parts[1:]:
                combined = combined & part
            return combined
        series = self._series(node)
        if series is not None:
            return self._truth_of_column(series)
        is_literal, value = self._literal(node)
        if is_literal and type(value) in (int, float, str, bool, type(None)):
            return pl.lit(bool(value))
        raise _Declined

    def _truth_of_column(self, series: pl.Series) -> pl.Expr:
        column = self._column(series)
        dtype = series.dtype
        if dtype == pl.Boolean:
            return column.fill_null(False)
        if dtype == pl.String:
            return (column.str.len_bytes() > 0).fill_null(False)
        if dtype in _NUMERIC:
            return (column != 0).fill_null(False)  # NaN is truthy in Python, and != 0 here
        if dtype == pl.Null:
            return pl.lit(False)
        return column.is_not_null()  # dates and datetimes are always truthy

    # Comparisons -----------------------------------------------------------------------------

    def _compare(self, left: ast.AST, op: ast.cmpop, right: ast.AST) -> pl.Expr:
        left_series, right_series = self._series(left), self._series(right)
        if left_series is not None and right_series is not None:
            return self._compare_columns(left_series, op, right_series)
        if left_series is not None:
            is_literal, value = self._literal(right)
            if is_literal:
                return self._compare_literal(left_series, op, value, column_on_left=True)
            if isinstance(op, ast.In | ast.NotIn):
                return self._in_collection(left_series, op, right)
            raise _Declined
        if right_series is not None:
            is_literal, value = self._literal(left)
            if is_literal:
                return self._compare_literal(right_series, op, value, column_on_left=False)
        raise _Declined

    def _compare_columns(self, left: pl.Series, op: ast.cmpop, right: pl.Series) -> pl.Expr:
        if left.dtype != right.dtype or left.dtype == pl.Null:
            raise _Declined
        if left.dtype == pl.Float64 and (left.is_nan().any() or right.is_nan().any()):
            raise _Declined
        a, b = self._column(left), self._column(right)
        if isinstance(op, ast.Eq):
            return a.eq_missing(b)
        if isinstance(op, ast.NotEq):
            return a.ne_missing(b)
        if type(op) in (ast.Lt, ast.LtE, ast.Gt, ast.GtE):
            if left.null_count() or right.null_count():
                raise _Declined  # None < x raises in Python
            return _ORDERING[type(op)](a, b)
        if isinstance(op, ast.In | ast.NotIn) and left.dtype == pl.String:
            if left.null_count() or right.null_count():
                raise _Declined
            contained = b.str.contains(a, literal=True)
            return contained if isinstance(op, ast.In) else ~contained
        raise _Declined

    def _compare_literal(
        self, series: pl.Series, op: ast.cmpop, value: Any, column_on_left: bool
    ) -> pl.Expr:
        column = self._column(series)
        dtype = series.dtype
        kind = type(value)

        if isinstance(op, ast.Is | ast.IsNot):
            return self._identity(series, op, value)

        if isinstance(op, ast.In | ast.NotIn):
            if dtype != pl.String or kind is not str or series.null_count():
                raise _Declined  # None in 'abc' raises; other forms go row by row
            if column_on_left:
                contained = pl.lit(value).str.contains(column, literal=True)
            else:
                contained = column.str.contains(value, literal=True)
            return contained if isinstance(op, ast.In) else ~contained

        if value is None:
            if isinstance(op, ast.Eq):
                return column.is_null()
            if isinstance(op, ast.NotEq):
                return column.is_not_null()
            raise _Declined  # ordering against None raises

        if not self._literal_matches(series, value):
            if isinstance(op, ast.Eq | ast.NotEq) and self._never_equal(dtype, kind):
                return pl.lit(isinstance(op, ast.NotEq))
            raise _Declined

        literal = pl.lit(value, dtype=series.dtype) if dtype != pl.Float64 else pl.lit(float(value))
        if isinstance(op, ast.Eq):
            return column.eq_missing(literal)
        if isinstance(op, ast.NotEq):
            return column.ne_missing(literal)
        if series.null_count():
            raise _Declined  # None < 3 raises in Python
        ordering = _ORDERING[type(op)]
        return ordering(column, literal) if column_on_left else ordering(literal, column)

    def _literal_matches(self, series: pl.Series, value: Any) -> bool:
        """Whether polars compares this column with `value` exactly as Python would."""
        dtype, kind = series.dtype, type(value)
        if dtype == pl.String:
            return kind is str
        if dtype == pl.Boolean:
            return kind is bool
        if dtype == pl.Int64:
            return kind is int and _INT64[0] <= value <= _INT64[1]
        if dtype == pl.Float64:
            if series.is_nan().any():
                return False
            if kind is float:
                return True
            return kind is int and abs(value) <= _EXACT_FLOAT_INT
        return False

    @staticmethod
    def _never_equal(dtype: pl.DataType, kind: type) -> bool:
        """Whether no value of this column can == a literal of this type (so == is False)."""
        numeric_literal = kind in (int, float, bool)
        if dtype == pl.String:
            return kind is not str
        if dtype in (*_NUMERIC, pl.Boolean):
            return kind is str
        if dtype in (pl.Date, pl.Null) or isinstance(dtype, pl.Datetime):
            return kind is str or numeric_literal
        return False

    def _identity(self, series: pl.Series, op: ast.cmpop, value: Any) -> pl.Expr:
        column = self._column(series)
        negate = isinstance(op, ast.IsNot)
        if value is None:
            result = column.is_null()
        elif type(value) is bool:
            if series.dtype == pl.Boolean:
                result = column.eq_missing(pl.lit(value))
            else:
                result = pl.lit(False)  # only a bool is True or False
        else:
            raise _Declined  # identity of ints and strings is an interpreter detail
        return ~result if negate else result

    def _in_collection(self, series: pl.Series, op: ast.cmpop, node: ast.AST) -> pl.Expr:
        if not isinstance(node, ast.List | ast.Tuple | ast.Set):
            raise _Declined
        items = []
        for item in node.elts:
            is_literal, value = self._literal(item)
            if not is_literal:
                raise _Declined
            items.append(value)
        wanted = {pl.String: str, pl.Int64: int}.get(series.dtype)
        if wanted is None or not all(type(item) is wanted for item in items):
            raise _Declined
        if wanted is int and not all(_INT64[0] <= item <= _INT64[1] for item in items):
            raise _Declined
        found = self._column(series).is_in(pl.Series(items, dtype=series.dtype)).fill_null(False)
        return found if isinstance(op, ast.In) else ~found


_ORDERING: dict[type, Callable[[Any, Any], pl.Expr]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
