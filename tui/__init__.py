"""The operator console: a Textual front end that sees the core only through FleetService.

Start it with :func:`tui.launch.run_console` (the ``fleet.ui`` entry point ``console``).
"""
