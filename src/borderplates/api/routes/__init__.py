"""One router per resource, each under ``/api/v1``."""
