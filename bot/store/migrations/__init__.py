"""Alembic environment and revisions of the store's schema.

A package (not just a folder) so that setuptools ships it with ``bot``; the store
runs it through :func:`bot.store.Store.migrate`, no ``alembic.ini`` needed.
"""
