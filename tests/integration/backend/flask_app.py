"""A stock Flask backend for the gate tests: it routes the raw request path nginx forwards,
as a real application behind `proxy_pass http://127.0.0.1:PORT;` does (werkzeug decodes
%2F before routing and leaves dot segments alone). Each route names itself, so a test sees
which page the upstream served. Usage: python3 flask_app.py PORT"""
import logging
import sys

from flask import Flask, request

app = Flask(__name__)


def answer(page):
    device = request.headers.get("X-Client-Device", "")
    return f"page={page} device={device} path={request.path}\n"


@app.route("/healthz")
def healthz():
    return answer("healthz")


@app.route("/api/public/<path:rest>")
def public(rest):
    return answer("public")


@app.route("/admin")
@app.route("/admin/<path:rest>")
def admin(rest=""):
    return answer("admin")


@app.route("/", defaults={"rest": ""})
@app.route("/<path:rest>")
def other(rest):
    return answer("other")


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
