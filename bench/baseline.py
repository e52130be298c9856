"""The baseline every web figure is divided by: Flask returning a constant JSON body,
served by the same gunicorn settings as the app."""

from flask import Flask, jsonify

app = Flask(__name__)
BODY = {"status": "ok", "service": "baseline", "items": [1, 2, 3]}


@app.get("/")
def constant():
    return jsonify(BODY)
