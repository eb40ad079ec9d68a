"""Service: the HTTP API and the static widget. No retrieval logic lives here."""
