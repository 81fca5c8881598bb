"""Alembic's environment for the case store: runs on the connection it is given.

neuroseq runs migrations itself (``neuroseq store init``, and on opening a
store), passing its open connection in ``config.attributes["connection"]``.
SQLite gets batch mode, which rebuilds a table to alter it.
"""

from __future__ import annotations

from alembic import context

from neuroseq.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
