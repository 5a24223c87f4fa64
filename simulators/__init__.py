"""Simulators that speak the real protocols (MAVLink drones, MQTT vehicles and boats).

They never import ``fleet``: they meet the core only on the wire.
"""
