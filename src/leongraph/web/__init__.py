"""The HTTP layer, the only package that imports FastAPI and Starlette: the app factory
(app.py), its state (state.py), the one error body (errors.py), the hot path of /sparql
(hotpath.py), conditional GET (conditional.py), shared rendering (rendering.py), the routes
(routes/), and the templates and static assets. May import every package but the CLI."""
