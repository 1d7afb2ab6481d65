"""Transaction set definitions, one JSON file per set."""
