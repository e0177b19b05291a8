"""The launcher: the `fastship` command, `fastship dev` and the embedded servers it starts."""
