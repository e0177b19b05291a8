"""The load script that measures FastShip against the performance targets: `python -m bench`."""
