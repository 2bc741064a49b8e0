"""Single points of failure, what-if simulation, DR drills and recommendations."""
