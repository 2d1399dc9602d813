"""The database: the only package that knows there is one.

- ``engine``         ``make_engine(url)``: SQLite (WAL, foreign keys) or PostgreSQL
- ``tables``         the SQLAlchemy Core schema (one stable file)
- ``migrate``        ``upgrade(engine)``: Alembic migrations to head, safe to call at start-up
- ``repository``     rows <-> domain objects: ``replace_dataset``, ``load_dataset``
- ``bulk``           fast row transfer for the big tables (executemany / COPY)
- ``unit_of_work``   ``UnitOfWork``: one transaction, rolled back unless committed
"""
