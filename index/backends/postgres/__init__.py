"""The PostgreSQL backend: the index in a database that several app processes, on several machines, serve.

``publish`` ingests (the index directory's build, published as a generation schema and switched by a pointer
row), ``searcher`` searches (pgvector HNSW for vectors, ``bm25`` over PostgreSQL's full-text index for words),
``schema`` says what is stored where, ``catalog`` holds the generations, the pointer and the writer lock,
``stage`` the writer's working copy, ``db`` the connections, ``server`` a server of our own for tests and bench.
"""
