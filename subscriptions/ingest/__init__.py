"""Readings coming in: one pipeline behind the S-DoT simulator, MQTT and the HTTP batch door."""
