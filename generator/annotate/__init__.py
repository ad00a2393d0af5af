"""The local annotation tool (server + static page). May import records and speech."""
