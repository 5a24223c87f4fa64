"""Links: the I/O adapters between the core and the units (MAVLink, MQTT)."""
