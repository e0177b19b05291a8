"""Tables, schemas and domain types.

Workflows import only `models.domain` and `models.workflow_io`: those stay free of I/O libraries.
"""
