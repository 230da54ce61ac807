"""servicepath: the law of foreign military service, as code."""
