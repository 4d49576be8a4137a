"""Files: verified reading, paths kept inside, safe names, all-or-nothing writing."""
