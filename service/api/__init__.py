"""The HTTP side: the app, the /v1 API, the pages, the conversion queue and the server."""
