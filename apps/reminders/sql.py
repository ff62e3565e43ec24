"""Plain SQL for the 20:00 send path: its writes, and the cursor all its statements use.

Building and compiling a QuerySet costs about 0.2 ms of CPU per statement, as
much as the statement itself costs PostgreSQL, and a worker sends thousands of
reminders back to back. The writes here store the same rows the ORM would, each
value prepared by its model field as the ORM prepares it, so they behave alike
on SQLite and PostgreSQL. They send no model signals; the models written here
have no receivers.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Mapping

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.utils import CursorWrapper

# psycopg's default: a statement this connection has run this many times is
# prepared, so PostgreSQL parses and plans it once instead of every time.
PREPARE_AFTER = 5


@contextlib.contextmanager
def cursor() -> Iterator[CursorWrapper]:
    """connection.cursor(), except that on PostgreSQL the statements it runs
    are bound server-side and prepared once they repeat.

    Planning the send path's read, with its joins and subquery, cost PostgreSQL
    more than running it. The rest of the project keeps Django's client-side
    binding (one-off SQL text, never prepared): switching every ORM query over
    is a larger change, and Django 5.2 does not split a query past PostgreSQL's
    65,535 bound parameters. The few fixed statements here have none of that.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        with conn.cursor() as c:
            yield c
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    # What conn.cursor() does, with another cursor class: ping a stale
    # connection, connect if needed, wrap for error translation and logging.
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    conn.validate_thread_sharing()
    pg = conn.connection
    with conn.wrap_database_errors:
        raw = ServerBindingCursor(pg)
    wrapped = (
        conn.make_debug_cursor(raw) if conn.queries_logged else conn.make_cursor(raw)
    )
    # Connection-wide in psycopg, so only for the statements run here: Django
    # turns it off (None) for its own, which would be prepared too if
    # server_side_binding were ever switched on.
    django_threshold = pg.prepare_threshold
    pg.prepare_threshold = PREPARE_AFTER
    try:
        with wrapped as c:
            yield c
    finally:
        pg.prepare_threshold = django_threshold


def rows_update(
    model: type[models.Model],
    *,
    where: Mapping[str, object],
    values: Mapping[str, object],
) -> int:
    """`model.objects.filter(**where).update(**values)` for equalities on attnames; rows changed."""
    if None in where.values():
        raise ValueError("rows_update compares with '=', which never matches NULL")
    conn = connections[DEFAULT_DB_ALIAS]
    sql, set_fields, where_fields = _update_sql(
        conn.vendor, model, tuple(values), tuple(where)
    )
    params = [
        f.get_db_prep_save(v, conn)
        for f, v in zip(set_fields, values.values(), strict=True)
    ] + [
        f.get_db_prep_value(v, conn)
        for f, v in zip(where_fields, where.values(), strict=True)
    ]
    with cursor() as c:
        c.execute(sql, params)
        return c.rowcount


def row_insert(obj: models.Model) -> None:
    """`obj.save(force_insert=True)` in one INSERT … RETURNING: defaults and
    auto_now_add applied as save() applies them; sets obj.pk."""
    conn = connections[DEFAULT_DB_ALIAS]
    sql, fields = _insert_sql(conn.vendor, type(obj))
    params = [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]
    with cursor() as c:
        c.execute(sql, params)
        obj.pk = c.fetchone()[0]
    obj._state.adding = False
    obj._state.db = conn.alias


# A statement depends only on the database vendor (its quoting), the model and
# the column names, so each is composed once per process.
@functools.cache
def _update_sql(vendor: str, model, set_names: tuple, where_names: tuple):
    opts, qn = model._meta, connections[DEFAULT_DB_ALIAS].ops.quote_name
    set_fields = [opts.get_field(name) for name in set_names]
    where_fields = [opts.get_field(name) for name in where_names]
    sql = "UPDATE {} SET {} WHERE {}".format(
        qn(opts.db_table),
        ", ".join(f"{qn(f.column)} = %s" for f in set_fields),
        " AND ".join(f"{qn(f.column)} = %s" for f in where_fields),
    )
    return sql, set_fields, where_fields


@functools.cache
def _insert_sql(vendor: str, model):
    opts, qn = model._meta, connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = [f for f in opts.local_concrete_fields if not f.primary_key]
    sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
        qn(opts.db_table),
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        qn(opts.pk.column),
    )
    return sql, fields
