"""Production entry point: ``gunicorn wsgi:app``."""

import gc

from surveys import create_app

app = create_app()
# What a worker builds at start (modules, the app, its routes and statements) lives as long as
# the process: moved out of the collector's generations, a full collection no longer walks those
# hundreds of thousands of objects again and again under load.
gc.collect()
gc.freeze()
