"""The queries, one module per domain: the only place SQL is written.

Used by the API's reads and the activities' writes; every function takes the caller's session,
so the caller decides the transaction.
"""
