"""PostGIS database backend with a health check that costs no round trip while the link is quiet."""
