"""HTTP: the ASGI app, its routes and middleware, and the one mapping of errors to responses."""
